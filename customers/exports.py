"""The columns of the customer and contract list downloads (with a column per custom field);
`salescrm.exports` writes them as CSV or XLSX."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customfields import values as custom_values


def customer_header(definitions) -> list[str]:
    return [
        pgettext("entity", "Name"),
        _("Kind"),
        _("Tier"),
        _("Phone"),
        _("E-mail"),
        _("Owner"),
        _("Contracts"),
        _("Created"),
        *custom_values.export_header(definitions),
    ]


def customer_rows(customers, definitions):
    for customer in customers:
        yield [
            customer.name,
            customer.get_kind_display(),
            customer.get_effective_tier_display(),
            customer.phone,
            customer.email,
            str(customer.owner),
            customer.contract_count,
            timezone.localtime(customer.created_at).strftime("%Y-%m-%d %H:%M"),
            *custom_values.export_cells(customer, definitions),
        ]


def contract_header(definitions) -> list[str]:
    return [
        _("Number"),
        _("Customer"),
        _("Owner"),
        _("Status"),
        _("Total (CNY)"),
        _("Signed on"),
        _("Created"),
        *custom_values.export_header(definitions),
    ]


def contract_rows(contracts, definitions):
    for contract in contracts:
        yield [
            contract.number,
            contract.customer.name,
            str(contract.owner),
            contract.get_status_display(),
            contract.total_amount,
            contract.signed_on,
            timezone.localtime(contract.created_at).strftime("%Y-%m-%d %H:%M"),
            *custom_values.export_cells(contract, definitions),
        ]
