"""Bulk actions on the customer list (issue 18), the lead list's pattern (leads/bulk.py):
reassign or export the ticked customers. A reassignment asks once, then goes customer by
customer through services.customer_assign and says how many changed and why the others did
not. Ids the user may not see are left out."""

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from customers import services
from customers.models import Customer
from salescrm.exports import export_response
from salescrm.forms import SelectedIdsForm
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids


class CustomerBulkForm(SelectedIdsForm):
    nothing_ticked = gettext_lazy("Tick at least one customer.")

    action = django_forms.ChoiceField(
        choices=[
            ("assign", gettext_lazy("Reassign")),
            ("export", gettext_lazy("Export selected (CSV)")),
        ]
    )


class CustomerAssignForm(django_forms.Form):
    to_owner = django_forms.ModelChoiceField(
        label=gettext_lazy("New owner"), queryset=User.objects.none()
    )

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        members = User.objects.filter(is_active=True, role__in=[Role.REP, Role.MANAGER])
        if not manager.sees_all:
            members = members.filter(team_id__in=managed_team_ids(manager))
        self.fields["to_owner"].queryset = members.order_by("username")


def _export(customers):
    header = [
        pgettext_lazy("entity", "Name"),
        _("Kind"),
        _("Tier"),
        _("Owner"),
        _("Phone"),
        _("E-mail"),
        _("Created"),
    ]
    rows = (
        [
            c.name,
            c.get_kind_display(),
            c.get_effective_tier_display(),
            str(c.owner),
            c.phone,
            c.email,
            c.created_at.date(),
        ]
        for c in customers
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        filename=f"customers-selected-{stamp}", header=header, rows=rows, fmt="csv"
    )


@require_POST
def customer_bulk(request):
    form = CustomerBulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("customers:list")
    action = form.cleaned_data["action"]
    customers = list(
        Customer.objects.visible_to(request.user)
        .filter(pk__in=form.cleaned_data["ids"])
        .select_related("owner")
        .order_by("name", "id")
    )
    if action == "export":
        return _export(customers)
    # the list offers reassigning only to those who may: a post by anyone else is refused
    ensure_may(request.user, Action.CUSTOMER_ASSIGN)
    confirmed = request.POST.get("confirm") == "1"
    detail = CustomerAssignForm(request.POST if confirmed else None, manager=request.user)
    if not confirmed or not customers or not detail.is_valid():
        context = {
            "action": action,
            "customers": customers,
            "detail": detail,
            "ids": [c.pk for c in customers],
        }
        return render(request, "customers/bulk_confirm.html", context)
    changed, refused = 0, []
    for customer in customers:
        try:
            with transaction.atomic():
                services.customer_assign(
                    customer=customer, actor=request.user, to_owner=detail.cleaned_data["to_owner"]
                )
            changed += 1
        except ValidationError as exc:
            refused.append(f"{customer.name}: {' '.join(exc.messages)}")
    messages.success(
        request,
        _("%(changed)d of %(total)d customers changed.")
        % {"changed": changed, "total": len(customers)},
    )
    for line in refused[:20]:
        messages.warning(request, line)
    return redirect("customers:list")
