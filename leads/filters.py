"""The lead list's filters, search and sort, validated from the query string."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customfields import values as custom_values
from salescrm.bounds import MAX_DAYS
from salescrm.models import User

from .models import Channel, Lead


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = django_filters.MultipleChoiceFilter(
        choices=Lead.Stage.choices, label=_("Stage"), widget=forms.SelectMultiple(attrs={"size": 4})
    )
    grade = django_filters.MultipleChoiceFilter(
        choices=Lead.Grade.choices, label=_("Grade"), widget=forms.CheckboxSelectMultiple
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
        field_labels={
            "created": _("Created"),
            "last_activity": _("Last follow-up"),
            "score": _("Score"),
            "name": _("Name"),
            "next_follow_up": _("Next follow-up"),
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
        self.custom_fields = {f.key: f for f in custom_values.fields_for("lead")}
        for field in self.custom_fields.values():
            self.filters[custom_values.PREFIX + field.key] = django_filters.CharFilter(
                method=self.custom, label=str(field), field_name=field.key
            )

    def custom(self, queryset, name, value):
        key = name.removeprefix(custom_values.PREFIX)
        if key not in self.custom_fields or value in ("", None):
            return queryset
        try:
            stored = custom_values.clean("lead", {key: value}, partial=True)
        except ValidationError:
            return queryset.none()
        if key not in stored:
            return queryset
        return queryset.filter(custom__contains={key: stored[key]})

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        digits = "".join(ch for ch in value if ch.isdigit())
        match = Q(name__icontains=value) | Q(company__icontains=value) | Q(email__icontains=value)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
        return queryset.filter(match)

    def untouched(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.untouched_since(timezone.now() - dt.timedelta(days=int(value)))
