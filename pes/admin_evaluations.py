"""The channel team's tier evaluation (SPEC §3.3) in the admin.

* Evaluations: read-only records with every criterion; "Evaluate a quarter" runs the
  evaluation for every partner or one (``pes.run_evaluations``) through the same service
  as the command and the job.
* Tier changes: the append-only history; "Change a partner's tier" confirms a flagged
  upgrade, overrides, or restores after an audit, with a reason (``pes.change_tiers``),
  through pes.services.tiers.
Both pages are offered only to staff holding the permission, and the services refuse
everyone else again.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from partners.admin.organisations import LatestRowsSection, register_organisation_section
from partners.models import Organisation, Tier
from pes.criteria import Criterion
from pes.models import TierChange, TierEvaluation
from pes.quarters import Quarter
from pes.services import evaluation as evaluation_service
from pes.services import tiers as tier_service
from portal.errors import DomainError
from portal.service_admin import has_staff_permission


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvaluateForm(forms.Form):
    quarter = forms.CharField(max_length=8, help_text="Like 2026Q3: a quarter that has ended.")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
        required=False,
        help_text="Empty: every partner.",
    )
    email_partners = forms.BooleanField(
        required=False, initial=True, help_text="Email each partner its result (once)."
    )

    def clean_quarter(self):
        try:
            return Quarter.parse(self.cleaned_data["quarter"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(TierEvaluation)
class TierEvaluationAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation",
        "label",
        "tier",
        "passed",
        "failed_quarters",
        "transitioned_to",
        "upgrade_to",
        "evaluated_at",
    )
    list_filter = ("year", "quarter", "passed", "tier__partner_type")
    search_fields = ("organisation__name",)
    list_select_related = (
        "organisation",
        "tier__partner_type",
        "transitioned_to__partner_type",
        "upgrade_to__partner_type",
    )
    exclude = ("criteria", "measures")
    readonly_fields = ("criteria_table",)
    change_list_template = "admin/pes/tierevaluation/change_list.html"

    @admin.display(description="Quarter", ordering="year")
    def label(self, obj):
        return obj.label

    @admin.display(description="Criteria")
    def criteria_table(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
            (
                (
                    c.label,
                    c.value_text,
                    {"at_least": "at least", "at_most": "at most"}.get(c.comparison, ""),
                    c.threshold_text,
                    "exempt" if c.exempt else ("passed" if c.passed else "FAILED"),
                )
                for c in (Criterion.from_json(d) for d in obj.criteria)
            ),
        )
        return format_html(
            "<table><thead><tr><th>Criterion</th><th>Measured</th><th>Threshold</th>"
            "<th>Result</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def get_urls(self):
        return [
            path(
                "evaluate/",
                self.admin_site.admin_view(self.evaluate_view),
                name="pes_tierevaluation_evaluate",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_evaluate": has_staff_permission(request, evaluation_service.PERMISSION)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def evaluate_view(self, request):
        if not has_staff_permission(request, evaluation_service.PERMISSION):
            raise PermissionDenied
        form = EvaluateForm(request.POST or None, initial=request.GET or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                run = evaluation_service.evaluate_quarter(
                    quarter=data["quarter"],
                    organisation=data["organisation"],
                    actor=request.user,
                    notify=data["email_partners"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, run.summary())
                return HttpResponseRedirect(
                    reverse("admin:pes_tierevaluation_changelist")
                    + f"?year={data['quarter'].year}&quarter={data['quarter'].number}"
                )
        return _form_page(request, self, form, "Evaluate a quarter", "Evaluate")


class TierChangeForm(forms.Form):
    ACTIONS = [
        ("upgrade", "Confirm the upgrade the latest evaluation flagged"),
        ("override", "Set another type and tier"),
        ("restore", "Restore the tier the last evaluation moved it from (after an audit)"),
    ]
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.select_related("partner_type")
    )
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.select_related("partner_type__programme"),
        required=False,
        help_text="For an override only.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=tier_service.REASON_MAX,
        help_text="Shown to the partner and kept in the audit trail (required for an "
        "override and a restore).",
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "override" and not data.get("tier"):
            self.add_error("tier", "Choose the tier to set.")
        return data


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation",
        "kind",
        "from_tier",
        "to_tier",
        "changed_by_label",
        "created_at",
    )
    list_filter = ("kind",)
    search_fields = ("organisation__name", "reason")
    list_select_related = (
        "organisation",
        "from_tier__partner_type",
        "to_tier__partner_type",
    )
    change_list_template = "admin/pes/tierchange/change_list.html"

    def get_urls(self):
        return [
            path(
                "change-tier/",
                self.admin_site.admin_view(self.change_tier_view),
                name="pes_tierchange_change_tier",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_change_tiers": has_staff_permission(request, tier_service.PERMISSION)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def change_tier_view(self, request):
        if not has_staff_permission(request, tier_service.PERMISSION):
            raise PermissionDenied
        form = TierChangeForm(request.POST or None, initial=request.GET or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            organisation = data["organisation"]
            try:
                if data["action"] == "upgrade":
                    change = tier_service.upgrade_confirm(
                        actor=request.user, organisation=organisation, reason=data["reason"]
                    )
                elif data["action"] == "override":
                    change = tier_service.tier_override(
                        actor=request.user,
                        organisation=organisation,
                        tier=data["tier"],
                        reason=data["reason"],
                    )
                else:
                    change = tier_service.tier_restore(
                        actor=request.user, organisation=organisation, reason=data["reason"]
                    )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    f"{organisation.name} is now {change.to_tier}. The partner is emailed.",
                )
                return HttpResponseRedirect(reverse("admin:pes_tierchange_changelist"))
        return _form_page(request, self, form, "Change a partner's tier", "Change the tier")


def _form_page(request, model_admin, form, title, action):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "action": action,
        "form": form,
    }
    return TemplateResponse(request, "admin/pes/form.html", context)


class OrganisationEvaluationsSection(LatestRowsSection, admin.TabularInline):
    """The partner's latest quarterly evaluations on its organisation page."""

    model = TierEvaluation
    verbose_name_plural = "tier evaluations (the latest 10)"
    fields = ["label", "tier", "passed", "failed_quarters", "transitioned_to", "upgrade_to"]
    readonly_fields = fields
    ordering = ["-year", "-quarter"]

    @admin.display(description="quarter")
    def label(self, obj):
        return obj.label

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "tier__partner_type", "transitioned_to__partner_type", "upgrade_to__partner_type"
            )
        )


class OrganisationTierChangesSection(LatestRowsSection, admin.TabularInline):
    """The partner's tier history on its organisation page."""

    model = TierChange
    verbose_name_plural = "tier changes (the latest 10)"
    fields = ["created_at", "kind", "from_tier", "to_tier", "reason", "changed_by_label"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("from_tier__partner_type", "to_tier__partner_type")
        )


register_organisation_section(OrganisationEvaluationsSection)
register_organisation_section(OrganisationTierChangesSection)
