"""Bulk actions on the lead list (issue 18): reassign, change stage or export the leads a
user ticked. Changes go lead by lead through the same services as the lead page
(services.lead_assign, services.lead_change_stage: same rules, same history), after one
confirmation page; the result says how many changed and why the others did not. Ids the user
may not see are left out (never an error: they are simply not theirs)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salescrm.access import get_visible_or_404
from salescrm.exports import export_response
from salescrm.forms import BusinessDateField, SelectedIdsForm
from salescrm.permissions import Action, action_required, may

from .exports import lead_header, lead_rows
from .forms import AssignForm, StageForm
from .models import Lead
from .services import LeadError, lead_assign, lead_change_stage, lead_grade_override, lead_update


class BulkForm(SelectedIdsForm):
    nothing_ticked = gettext_lazy("Tick at least one lead.")

    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            ("stage", gettext_lazy("Change stage")),
            ("assign", gettext_lazy("Reassign")),
            ("export", gettext_lazy("Export selected (CSV)")),
        ],
    )


def _selected(request, ids):
    return list(
        Lead.objects.visible_to(request.user).filter(pk__in=ids).select_related("owner", "team")
    )


@require_POST
def lead_bulk(request):
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("leads:list")
    action, leads = form.cleaned_data["action"], _selected(request, form.cleaned_data["ids"])
    if action == "export":
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        chosen = Lead.objects.filter(pk__in=[lead.pk for lead in leads]).with_list_data()
        return export_response(
            filename=f"leads-selected-{stamp}",
            header=lead_header(),
            rows=lead_rows(chosen),
            fmt="csv",
        )
    if action == "assign":
        if not may(request.user, Action.LEAD_ASSIGN):
            messages.error(request, _("Only a manager can reassign leads."))
            return redirect("leads:list")

        def detail_form(data=None):
            return AssignForm(data, manager=request.user)
    else:

        def detail_form(data=None):
            return StageForm(data)

    confirmed = request.POST.get("confirm") == "1"
    detail = detail_form(request.POST if confirmed else None)
    if not confirmed or not leads or not detail.is_valid():
        context = {"action": action, "leads": leads, "detail": detail}
        return render(request, "leads/bulk_confirm.html", {**context, "ids": [x.pk for x in leads]})
    changed, refused = 0, []
    for lead in leads:
        try:
            with transaction.atomic():
                if action == "assign":
                    lead_assign(
                        lead=lead, actor=request.user, to_owner=detail.cleaned_data["to_owner"]
                    )
                else:
                    lead_change_stage(
                        lead=lead,
                        actor=request.user,
                        to_stage=detail.cleaned_data["to_stage"],
                        lost_reason=detail.cleaned_data["lost_reason"],
                    )
            changed += 1
        except LeadError as exc:
            refused.append(f"{lead.name}: {exc}")
    messages.success(
        request,
        _("%(changed)d of %(total)d leads changed.") % {"changed": changed, "total": len(leads)},
    )
    for line in refused[:20]:
        messages.warning(request, line)
    return redirect("leads:list")


class FollowUpDateForm(forms.Form):
    next_follow_up_on = BusinessDateField(label=gettext_lazy("Next follow-up"), required=False)


@require_POST
@action_required(Action.LEAD_UPDATE)
def lead_follow_up_date(request, pk):
    """Inline edit on the list: the next follow-up date of one lead, through lead_update."""
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    form = FollowUpDateForm(request.POST)
    if form.is_valid():
        lead_update(lead=lead, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Next follow-up of %(name)s saved.") % {"name": lead.name})
    else:
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"{lead.name}: {errors}")
    return _back(request)


def _back(request):
    back = request.POST.get("next", "")
    # only a path of this site ("/leads/?grade=A"); anything else goes back to the list
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("leads:list")
    return HttpResponseRedirect(back)


class GradeOverrideForm(forms.Form):
    grade_override = forms.ChoiceField(
        label=gettext_lazy("Grade set by hand"),
        choices=[("", gettext_lazy("As scored")), *Lead.Grade.choices],
        required=False,
    )


@require_POST
@action_required(Action.LEAD_GRADE_OVERRIDE)
def lead_grade_override_view(request, pk):
    """Inline edit on the list: a grade set by hand (or back to the score's), through
    lead_grade_override, which keeps the history."""
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    form = GradeOverrideForm(request.POST)
    if form.is_valid():
        lead_grade_override(
            lead=lead, actor=request.user, grade=form.cleaned_data["grade_override"]
        )
        messages.success(
            request,
            _("Grade of %(name)s: %(grade)s.") % {"name": lead.name, "grade": lead.grade},
        )
    else:
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        messages.error(request, f"{lead.name}: {errors}")
    return _back(request)
