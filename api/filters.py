"""The list filters of the API (django-filter). The lead list reuses the UI's own filter, so a
query means the same thing on the page and in the API."""

import django_filters

from customers.models import Contract, Customer, Payment
from customfields.filters import CustomFieldFilters
from leads.filters import LeadFilter
from performance.models import CommissionStatement, PeriodKind, ScoreCard
from salescrm.models import Notification
from targets.models import Target


class LeadApiFilter(LeadFilter):
    """The lead list's filter (search, stage, grade, channel, owner, untouched days) with the
    reader's own owner choices; the API orders by its cursor, so no sort parameter."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset=queryset, prefix=prefix, user=request.user)
        self.filters.pop("sort", None)


class CustomerFilter(CustomFieldFilters, django_filters.FilterSet):
    """Kind, tier, and cf_<key> per custom field (as on the customer list)."""

    custom_target = "customer"

    class Meta:
        model = Customer
        fields = ["kind", "tier"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_custom_filters()


class ContractFilter(CustomFieldFilters, django_filters.FilterSet):
    """Status, customer, renewal, and cf_<key> per custom field (as on the contract list)."""

    custom_target = "contract"

    class Meta:
        model = Contract
        fields = ["status", "customer", "is_renewal"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_custom_filters()


class PaymentFilter(django_filters.FilterSet):
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["contract", "method"]


class TargetFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year", min_value=2000, max_value=9999)

    class Meta:
        model = Target
        fields = ["plan", "level", "month"]


class ScoreCardFilter(django_filters.FilterSet):
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices)

    class Meta:
        model = ScoreCard
        fields = ["period_kind", "period_start"]


class StatementFilter(django_filters.FilterSet):
    class Meta:
        model = CommissionStatement
        fields = ["month", "status"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]
