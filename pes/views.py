"""Page: engagement points (SPEC §3.9) at /space/engagement/: the trailing-12-month score
and its breakdown by category, the redeemable balance, the claim form, the claims, the
ledger, the benefits with the application form, and the redemptions. Every member reads
it and claims; administrators apply to redeem (``roles.REDEEM_POINTS``). A constant number
of queries whatever the data: each list is a page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from partners import roles
from pes.forms import ClaimForm, RedemptionForm
from pes.models import Claim, Redemption
from pes.selectors.engagement import claims_of, ledger_of, redemptions_of
from pes.selectors.score import redeemable_balance, trailing_score
from pes.services.claims import claim_submit, claim_withdraw, claimable_activities
from pes.services.redemptions import (
    redeemable_benefits,
    redemption_apply,
    redemption_withdraw,
)
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404


def _page(request, *, claim_form=None, redemption_form=None, status=200):
    organisation = request.caller.organisation
    score = trailing_score(organisation=organisation, on=timezone.localdate())
    activities = list(claimable_activities(organisation=organisation))
    benefits = list(redeemable_benefits(organisation=organisation))
    top = max([c.points for c in score.categories] + [1])
    return render(
        request,
        "pes/engagement.html",
        {
            "score": score,
            "category_max": top,
            "balance": redeemable_balance(organisation=organisation),
            "activities": activities,
            "benefits": benefits,
            "claim_form": claim_form or ClaimForm(activities=activities),
            "redemption_form": redemption_form or RedemptionForm(benefits=benefits),
            "may_redeem": request.caller.role in roles.REDEEM_POINTS,
            "is_admin": request.caller.role == roles.ADMIN,  # withdraws anyone's claim
            "claims_page": page_of(request, claims_of(organisation), param="claims", per_page=10),
            "ledger_page": page_of(request, ledger_of(organisation), param="ledger", per_page=10),
            "redemptions_page": page_of(
                request, redemptions_of(organisation), param="redemptions", per_page=10
            ),
        },
        status=status,
    )


def _form_error(form, exc: DomainError, request):
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)


@member_required(roles=roles.CLAIM_ENGAGEMENT)
@require_http_methods(["GET", "HEAD"])
def engagement_page(request):
    return _page(request)


@member_required(roles=roles.CLAIM_ENGAGEMENT)
@require_POST
def claim_new(request):
    organisation = request.caller.organisation
    activities = list(claimable_activities(organisation=organisation))
    form = ClaimForm(request.POST, request.FILES, activities=activities)
    if form.is_valid():
        try:
            claim_submit(
                organisation=organisation,
                actor=request.user,
                role=request.caller.role,
                data=form.cleaned_data,
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            _form_error(form, exc, request)
        else:
            messages.success(request, "Your claim is with the channel team.")
            return redirect("pes:engagement")
    return _page(request, claim_form=form, status=400)


@member_required(roles=roles.CLAIM_ENGAGEMENT)
@require_POST
def claim_withdraw_view(request, pk):
    organisation = request.caller.organisation
    claim = get_for_tenant_or_404(Claim.objects.all(), organisation, pk=pk)
    try:
        claim_withdraw(
            organisation=organisation,
            actor=request.user,
            role=request.caller.role,
            claim_id=claim.pk,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The claim is withdrawn.")
    return redirect("pes:engagement")


@member_required(roles=roles.REDEEM_POINTS)
@require_POST
def redemption_new(request):
    organisation = request.caller.organisation
    benefits = list(redeemable_benefits(organisation=organisation))
    form = RedemptionForm(request.POST, benefits=benefits)
    if form.is_valid():
        try:
            redemption_apply(
                organisation=organisation,
                actor=request.user,
                role=request.caller.role,
                data=form.cleaned_data,
            )
        except DomainError as exc:
            _form_error(form, exc, request)
        else:
            messages.success(request, "Your application is with the channel team.")
            return redirect("pes:engagement")
    return _page(request, redemption_form=form, status=400)


@member_required(roles=roles.REDEEM_POINTS)
@require_POST
def redemption_withdraw_view(request, pk):
    organisation = request.caller.organisation
    redemption = get_for_tenant_or_404(Redemption.objects.all(), organisation, pk=pk)
    try:
        redemption_withdraw(
            organisation=organisation,
            actor=request.user,
            role=request.caller.role,
            redemption_id=redemption.pk,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The application is withdrawn: its points are free.")
    return redirect("pes:engagement")


urlpatterns = [
    path("engagement/", engagement_page, name="engagement"),
    path("engagement/claims/", claim_new, name="claim-new"),
    path("engagement/claims/<uuid:pk>/withdraw/", claim_withdraw_view, name="claim-withdraw"),
    path("engagement/redemptions/", redemption_new, name="redemption-new"),
    path(
        "engagement/redemptions/<uuid:pk>/withdraw/",
        redemption_withdraw_view,
        name="redemption-withdraw",
    ),
]
