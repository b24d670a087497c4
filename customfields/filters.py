"""One django-filter filter per custom field (cf_<key>), for the lists and the API of leads,
customers and contracts: a FilterSet mixes this in and names its record kind."""

import django_filters

from . import values


class CustomFieldFilters:
    custom_target = ""  # "lead", "customer" or "contract"

    def add_custom_filters(self):
        self.custom_definitions = values.fields_for(self.custom_target)
        self.custom_fields = {field.key: field for field in self.custom_definitions}
        for field in self.custom_definitions:
            self.filters[values.PREFIX + field.key] = django_filters.CharFilter(
                method=self.filter_custom, label=str(field), field_name=field.key, max_length=500
            )

    def filter_custom(self, queryset, name, value):
        return values.filter_by(
            queryset,
            self.custom_target,
            name.removeprefix(values.PREFIX),
            value,
            self.custom_definitions,
        )
