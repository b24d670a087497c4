"""The lead list's filters, search and sort, validated from the query string."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customfields.filters import CustomFieldFilters
from salescrm.bounds import MAX_DAYS
from salescrm.models import User

from .models import Channel, Lead
from .selectors import lead_search_q


class LeadFilter(CustomFieldFilters, django_filters.FilterSet):
    custom_target = "lead"

    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = django_filters.MultipleChoiceFilter(
        choices=Lead.Stage.choices,
        label=_("Stage"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
        # a lead has one stage: no join to multiply rows, so no SELECT DISTINCT over the list
        distinct=False,
    )
    grade = django_filters.MultipleChoiceFilter(
        choices=Lead.Grade.choices,
        label=_("Grade"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    channel = django_filters.ModelChoiceFilter(queryset=Channel.objects.all(), label=_("Channel"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("Owner"))
    untouched_days = django_filters.NumberFilter(
        method="untouched",
        label=_("Untouched for at least (days)"),
        min_value=0,
        max_value=MAX_DAYS,
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("created_at", "created"),
            ("last_activity_at", "last_activity"),
            ("score", "score"),
            ("name", "name"),
            ("next_follow_up_on", "next_follow_up"),
        ),
        # Every direction named, in words a rep uses (issue 18): django-filter's own
        # "(descending)" suffix has no Simplified Chinese. Ascending labels are keyed by the
        # model field, descending ones by "-" and the parameter (django-filter's lookup).
        field_labels={
            "-created": _("Newest first"),
            "created_at": _("Oldest first"),
            "-last_activity": _("Most recently followed up"),
            "last_activity_at": _("Longest without follow-up"),
            "-score": _("Highest score first"),
            "score": _("Lowest score first"),
            "name": _("Name A–Z"),
            "-name": _("Name Z–A"),
            "next_follow_up_on": _("Next follow-up, soonest first"),
            "-next_follow_up": _("Next follow-up, latest first"),
        },
    )

    class Meta:
        model = Lead
        fields = ["q", "stage", "grade", "channel", "owner", "untouched_days"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = (
            User.objects.visible_to(user).filter(is_active=True).order_by("username")
        )
        # One filter per custom field (cf_<key>), answered by the GIN index on `custom`.
        self.add_custom_filters()

    def search(self, queryset, name, value):
        return queryset.filter(lead_search_q(value))

    def untouched(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.untouched_since(timezone.now() - dt.timedelta(days=int(value)))
