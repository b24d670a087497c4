"""Editable admin inlines build at most their max_num forms, whatever a forged TOTAL_FORMS
says, and refuse more with a message (Django's default would build up to max_num + 1,000)."""

import pytest
from django.contrib import admin

from customers.admin import ContactInline
from performance.admin import CommissionTierInline, KpiSchemeItemInline
from targets.admin import MonthWeightInline, ProductLineShareInline, TeamShareInline
from tests.performance.factories import targets

EDITABLE = {
    ContactInline: 50,
    MonthWeightInline: 12,
    TeamShareInline: 50,
    ProductLineShareInline: 50,
    CommissionTierInline: 20,
    KpiSchemeItemInline: 50,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("inline_class", "cap"), EDITABLE.items(), ids=lambda v: getattr(v, "__name__", str(v))
)
def test_editable_inlines_cap_their_forms(rf, admin_user, inline_class, cap):
    parent = next(m for m, a in admin.site._registry.items() if inline_class in a.inlines)
    request = rf.get("/")
    request.user = admin_user
    formset = inline_class(parent, admin.site).get_formset(request)
    assert (formset.max_num, formset.absolute_max, formset.validate_max) == (cap, cap, True)


@pytest.mark.django_db
def test_a_forged_month_weight_count_builds_at_most_twelve_forms(
    admin_client, admin_user, director
):
    plan = targets("signed_amount", [], created_by=director)
    response = admin_client.post(
        f"/admin/targets/targetplan/{plan.pk}/change/",
        {
            "year": "2026",
            "metric": "signed_amount",
            "annual_value": "1000",
            "status": "draft",
            "month_weights-TOTAL_FORMS": "5000",
            "month_weights-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert len(formsets["month_weights"].forms) <= 12
    assert formsets["month_weights"].non_form_errors() == ["请最多提交 12 个表单。"]


@pytest.mark.django_db
def test_every_admin_inline_bounds_the_forms_a_post_may_ask_for(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    unbounded = []
    for model, model_admin in admin.site._registry.items():
        for inline_class in model_admin.inlines:
            formset = inline_class(model, admin.site).get_formset(request)
            if formset.absolute_max > 50:
                unbounded.append(f"{inline_class.__name__}: {formset.absolute_max}")
    assert unbounded == []


@pytest.mark.django_db
def test_a_read_only_inline_accepts_exactly_the_rows_its_parent_has(rf, admin_user, rep):
    from customers.admin import ContractLineInline, InstalmentInline
    from customers.models import Contract
    from tests.customers.factories import make_contract

    contract = make_contract(rep)
    request = rf.get("/")
    request.user = admin_user
    lines = ContractLineInline(Contract, admin.site).get_formset(request, contract)
    plan = InstalmentInline(Contract, admin.site).get_formset(request, contract)
    assert (lines.absolute_max, plan.absolute_max) == (1, 1)
