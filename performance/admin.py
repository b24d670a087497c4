from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from salescrm.admin import BoundedInlineMixin, RowsInlineMixin
from salescrm.forms import BusinessMonthField
from salescrm.timeutil import business_date

from . import kpis
from .commission import Tier, validate_tiers
from .models import (
    CommissionLine,
    CommissionPlan,
    CommissionStatement,
    CommissionTier,
    FactRestatement,
    FunnelSnapshot,
    KpiScheme,
    KpiSchemeItem,
    ManagerRating,
    MarketGrowth,
    ScoreCard,
    ScoreLine,
)
from .services import ItemRule, open_month, scheme_preview


class OpenPeriodForm(forms.ModelForm):
    """A rule version may only start in the open month or later: closed periods keep the
    rules they were computed with. The start is picked as a month (2026-12), not a date."""

    effective_from = BusinessMonthField(label=_("effective from (month)"))

    def clean_effective_from(self):
        month = self.cleaned_data["effective_from"]
        first_open = open_month(business_date())
        if month and month < first_open:
            raise ValidationError(
                _("%(month)s is closed; a new version can start from %(open)s at the earliest."),
                params={"month": f"{month:%Y-%m}", "open": f"{first_open:%Y-%m}"},
            )
        return month


class CommissionPlanForm(OpenPeriodForm):
    class Meta:
        model = CommissionPlan
        fields = [
            "name",
            "effective_from",
            "method",
            "base",
            "team_bonus_threshold",
            "team_bonus_rate",
        ]


class TierFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if any(self.errors):
            return
        tiers = sorted(
            (Tier(row["threshold"] / 100, row["rate"] / 100) for row in rows), key=lambda t: t.floor
        )
        messages = {
            "A plan needs at least one tier.": _("A plan needs at least one tier."),
            "The first tier must start at 0 %.": _("The first tier must start at 0 %."),
            "Tier thresholds must rise strictly from one tier to the next.": _(
                "Tier thresholds must rise strictly from one tier to the next."
            ),
            "Rates cannot be negative.": _("Rates cannot be negative."),
        }
        problems = validate_tiers(tiers)
        if problems:
            raise ValidationError([messages[p] for p in problems])


def _copy_source_pk(request) -> str | None:
    value = request.GET.get("copy_from", "")
    if request.method == "GET" and value.isascii() and value.isdigit() and len(value) <= 18:
        return value
    return None


class CopiedRowsInlineMixin:
    """On an add page opened with ?copy_from=<pk>, the inline starts with the rows of that
    version (see FrozenOnceClosedMixin: "Save as new" on a read-only version)."""

    copy_fields: list[str] = []

    def copied_rows(self, request) -> list[dict]:
        pk = _copy_source_pk(request)
        if pk is None:
            return []
        rows = self.model._default_manager.filter(**{self.fk_name_for_copy: pk}).order_by("pk")
        return [{name: getattr(row, name) for name in self.copy_fields} for row in rows]

    def get_extra(self, request, obj=None, **kwargs):
        rows = self.copied_rows(request) if obj is None else []
        return len(rows) if rows else super().get_extra(request, obj, **kwargs)


class FrozenOnceClosedMixin:
    """A rule version that started in a closed period is history: read-only. Admins add a
    new version effective from the open month instead (an open version can also be copied
    with "Save as new").

    "Save as new" on a read-only version posts no fields (the page shows none), which would
    fail with every field "required" and the lines lost. It opens the add page instead,
    filled with the version's values and lines and starting in the open month."""

    copy_fields: list[str] = []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_saveasnew" in request.POST and object_id:
            obj = self.get_object(request, object_id)
            if obj is not None and not self.has_change_permission(request, obj):
                add = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_add")
                return redirect(f"{add}?copy_from={obj.pk}")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("copy_from", None)
        pk = _copy_source_pk(request)
        source = self.model._default_manager.filter(pk=pk).first() if pk else None
        if source is not None:
            initial.update({name: getattr(source, name) for name in self.copy_fields})
            initial["effective_from"] = open_month(business_date())
        return initial

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and isinstance(inline, CopiedRowsInlineMixin):
            rows = inline.copied_rows(request)
            if rows:
                kwargs["initial"] = rows
        return kwargs

    def is_frozen(self, obj) -> bool:
        if obj is None or obj.pk is None:
            return False
        return obj.effective_from < open_month(business_date())

    def has_change_permission(self, request, obj=None):
        if self.is_frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.is_frozen(obj):
            return False
        return super().has_delete_permission(request, obj)


class CommissionTierInline(CopiedRowsInlineMixin, BoundedInlineMixin, admin.TabularInline):
    model = CommissionTier
    copy_fields = ["threshold", "rate"]
    fk_name_for_copy = "plan"
    formset = TierFormSet
    fields = ["threshold", "rate"]
    extra = 1
    max_num = 20


@admin.register(CommissionPlan)
class CommissionPlanAdmin(FrozenOnceClosedMixin, admin.ModelAdmin):
    form = CommissionPlanForm
    inlines = [CommissionTierInline]
    list_display = [
        "name",
        "effective_from",
        "method",
        "base",
        "team_bonus_threshold",
        "team_bonus_rate",
    ]
    list_filter = ["method", "base"]
    search_fields = ["name"]
    list_select_related = []
    save_as = True
    copy_fields = ["name", "method", "base", "team_bonus_threshold", "team_bonus_rate"]


class KpiSchemeForm(OpenPeriodForm):
    class Meta:
        model = KpiScheme
        fields = ["role", "name", "effective_from", "market_adjusted"]


class SchemeItemForm(forms.ModelForm):
    class Meta:
        model = KpiSchemeItem
        fields = ["kpi", "weight", "target_value", "rule", "cap", "steps", "rating_scale"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The target is written in the KPI's unit (yuan, %, visits, points): name it.
        self.fields["kpi"].choices = [("", "---------")] + [
            (kpi.code, f"{kpi.label} ({_unit(kpi)})") for kpi in kpis.KPIS
        ]
        self.fields["target_value"].help_text = _("In the KPI's unit, shown after its name.")
        # only a KPI rated by the manager reads it: left empty, the default scale 1–5
        self.fields["rating_scale"].required = False

    def clean_rating_scale(self):
        return self.cleaned_data.get("rating_scale") or 5

    def clean(self):
        data = super().clean()
        if data.get("rule") == KpiSchemeItem.Rule.STEPS:
            try:
                kpis.parse_steps(data.get("steps") or "")
            except ValueError:
                self.add_error(
                    "steps",
                    _('Write the steps as "achievement %=score" pairs, e.g. "80=60, 100=100".'),
                )
        return data


def _unit(kpi) -> str:
    return str(_("CNY") if kpi.unit == "CNY" else kpi.unit)


class SchemeItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        total = sum((row["weight"] for row in rows), Decimal(0))
        if total != 100:
            raise ValidationError(
                _("The weights add up to %(total)s %%; they must add up to 100 %%."),
                params={"total": f"{total:.2f}"},
                code="weights",
            )

    def rules(self) -> list[ItemRule]:
        return [
            ItemRule(
                row["kpi"],
                row["weight"],
                row["target_value"],
                row["rule"],
                row["cap"],
                row.get("steps", ""),
                row.get("rating_scale") or 5,
            )
            for row in (form.cleaned_data for form in self.forms)
            if row and not row.get("DELETE")
        ]


class KpiSchemeItemInline(CopiedRowsInlineMixin, BoundedInlineMixin, admin.TabularInline):
    model = KpiSchemeItem
    copy_fields = ["kpi", "weight", "target_value", "rule", "cap", "steps", "rating_scale"]
    fk_name_for_copy = "scheme"
    form = SchemeItemForm
    formset = SchemeItemFormSet
    extra = 1


@admin.register(KpiScheme)
class KpiSchemeAdmin(FrozenOnceClosedMixin, admin.ModelAdmin):
    form = KpiSchemeForm
    inlines = [KpiSchemeItemInline]
    list_display = ["name", "role", "effective_from", "market_adjusted", "created_at"]
    list_filter = ["role"]
    search_fields = ["name"]
    list_select_related = []
    save_as = True
    copy_fields = ["role", "name", "market_adjusted"]
    change_form_template = "admin/performance/kpischeme/change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            preview = self._preview(request, object_id)
            if preview is not None:
                return preview
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, object_id):
        """Score last month with the scheme as typed, without saving anything. Returns None
        when the form has errors (the normal view then shows them, and saves nothing since
        the form is invalid). A version shown read-only (frozen, or to a reader who may not
        change it) posts no fields: its stored items are previewed instead."""
        obj = self.get_object(request, object_id) if object_id else None
        if obj is not None and not self.has_change_permission(request, obj):
            if not self.has_view_permission(request, obj):
                raise PermissionDenied
            items = [ItemRule.of(item) for item in obj.items.order_by("pk")]
            return self._preview_response(
                request,
                role=obj.role,
                items=items,
                proposed={"name": obj.name, "role": obj.role, "effective_from": obj.effective_from},
            )
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        if not form.is_valid():
            return None
        formset_class, _inline = next(iter(self.get_formsets_with_inlines(request, obj)))
        item_formset = formset_class(
            request.POST, instance=form.instance, prefix=formset_class.get_default_prefix()
        )
        if not item_formset.is_valid():
            return None
        return self._preview_response(
            request,
            role=form.cleaned_data["role"],
            items=item_formset.rules(),
            proposed=form.cleaned_data,
        )

    def _preview_response(self, request, *, role, items, proposed):
        return TemplateResponse(
            request,
            "admin/performance/kpischeme/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Preview: last month's ranking"),
                "preview": scheme_preview(role=role, items=items, today=business_date()),
                "proposed": proposed,
                "items": items,
            },
        )


class ComputedRowsAdmin(admin.ModelAdmin):
    """Rows the nightly jobs compute: viewable here, never added or changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScoreLineInline(RowsInlineMixin, admin.TabularInline):
    model = ScoreLine
    fields = [
        "kpi",
        "actual",
        "target",
        "score",
        "weight",
        "weighted_score",
        "rated_by",
        "rated_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ScoreCard)
class ScoreCardAdmin(ComputedRowsAdmin):
    """Computed by the nightly job: read-only."""

    list_display = ["person", "period_kind", "period_start", "total_score", "scheme", "computed_at"]
    list_filter = ["period_kind", "period_start", "scheme"]
    search_fields = ["person__username", "person__first_name", "person__last_name"]
    list_select_related = ["person", "scheme"]
    inlines = [ScoreLineInline]
    readonly_fields = [
        "person",
        "period_kind",
        "period_start",
        "period_end",
        "scheme",
        "total_score",
        "computed_at",
    ]
    fields = readonly_fields


@admin.register(FunnelSnapshot)
class FunnelSnapshotAdmin(ComputedRowsAdmin):
    list_display = [
        "day",
        "team",
        "rep",
        "stage",
        "open_leads",
        "amount",
        "entered",
        "reached",
        "conversion",
    ]
    list_filter = ["day", "stage", "team"]
    search_fields = ["rep__username", "rep__first_name", "rep__last_name"]
    list_select_related = ["team", "rep"]


class CommissionLineInline(RowsInlineMixin, admin.TabularInline):
    model = CommissionLine
    fields = [
        "position",
        "kind",
        "occurred_on",
        "description",
        "contract",
        "payment",
        "refund",
        "base",
        "rate",
        "amount",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CommissionStatement)
class CommissionStatementAdmin(ComputedRowsAdmin):
    """Computed by the nightly job and closed by finance in the app: read-only here."""

    list_display = [
        "rep",
        "month",
        "plan",
        "base_amount",
        "achievement",
        "commission",
        "team_bonus",
        "total",
        "status",
    ]
    list_filter = ["status", "month", "plan"]
    search_fields = ["rep__username", "rep__first_name", "rep__last_name"]
    list_select_related = ["rep", "plan"]
    inlines = [CommissionLineInline]
    readonly_fields = [
        "rep",
        "month",
        "plan",
        "team",
        "base_kind",
        "base_amount",
        "target_amount",
        "achievement",
        "commission",
        "team_bonus",
        "total",
        "status",
        "computed_at",
        "closed_at",
        "closed_by",
    ]
    fields = readonly_fields


@admin.register(FactRestatement)
class FactRestatementAdmin(ComputedRowsAdmin):
    """Recorded by the nightly dashboard-facts job when it restates a frozen period."""

    list_display = ["kind", "start", "restated_at", "previous_computed_at"]
    list_filter = ["kind", "start"]
    readonly_fields = ["kind", "start", "restated_at", "previous_computed_at", "sources", "changes"]
    fields = readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MarketGrowth)
class MarketGrowthAdmin(admin.ModelAdmin):
    """The market's growth per period (issue 20); the director records it on the analytics
    page, administrators may also here."""

    list_display = ["period_label", "period_kind", "basis", "growth", "source", "recorded_by"]
    list_filter = ["period_kind", "basis"]
    search_fields = ["source", "note"]
    list_select_related = ["recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ManagerRating)
class ManagerRatingAdmin(SimpleHistoryAdmin):
    """Given on the rating page by the rep's manager or the director (the rules are checked
    there): read-only here, with each change in the history."""

    list_display = ["person", "period_kind", "period_start", "kpi", "rating", "scale", "rated_by"]
    list_filter = ["period_kind", "period_start", "kpi"]
    search_fields = ["person__username", "person__first_name", "person__last_name"]
    list_select_related = ["person", "rated_by"]
    readonly_fields = [
        "person",
        "period_kind",
        "period_start",
        "kpi",
        "rating",
        "scale",
        "comment",
        "rated_by",
        "rated_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
