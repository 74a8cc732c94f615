"""Pages: deal registrations in the reseller space. Every member reads them; administrators
and sales register deals, answer the channel team and mark them won or lost
(partners.roles.REGISTER_DEALS): technical and finance people follow what is sold and
reserved without changing it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from deals.forms.registrations import AnswerForm, DealForm, InvoiceForm, LostForm
from deals.models import Deal, ReferralFee
from deals.selectors.registrations import (
    DealFilterSet,
    deal_for,
    deal_history,
    deals_for,
)
from deals.services.referrals import referral_fee_invoice, referral_fee_note
from deals.services.registrations import (
    deal_answer,
    deal_mark_lost,
    deal_mark_won,
    deal_submit,
)
from partners import roles
from partners.models import EngagementModel
from portal.errors import DomainError
from portal.pagination import filtered_page
from portal.tenancy.access import member_required

_FILTERS = ("status", "engagement_model", "search", "submitted_from", "submitted_to")


@member_required(roles=roles.ALL)
@require_safe
def deal_list(request):
    organisation = request.caller.organisation
    filterset = DealFilterSet(request.GET, queryset=deals_for(organisation=organisation))
    listing = filtered_page(request, filterset, filters=_FILTERS)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deals/registrations/list.html",
        {
            **listing,
            "deals": listing["page_obj"].object_list,
            "statuses": Deal.Status.choices,
            "engagement_models": EngagementModel.choices,
            "export_query": query.urlencode(),
            "can_register": request.caller.role in roles.REGISTER_DEALS,
        },
    )


@member_required(roles=roles.REGISTER_DEALS)
@require_http_methods(["GET", "HEAD", "POST"])
def deal_new(request):
    organisation = request.caller.organisation
    form = DealForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            deal = deal_submit(
                organisation=organisation,
                actor=request.user,
                role=request.caller.role,
                data=form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if deal.status == Deal.Status.CONFLICT:
                messages.warning(
                    request,
                    f"{deal.reference} is registered, in conflict: another registration "
                    "already holds this customer and product. The channel team decides.",
                )
            else:
                messages.success(
                    request,
                    f"{deal.reference} is registered; the channel team will review it.",
                )
            return redirect("deals:detail", deal_id=deal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/registrations/new.html", {"form": form}, status=status)


@member_required(roles=roles.ALL)
@require_http_methods(["GET", "HEAD", "POST"])
def deal_detail(request, deal_id):
    caller = request.caller
    can_act = caller.role in roles.REGISTER_DEALS
    if request.method == "POST" and not can_act:
        raise PermissionDenied("Your role does not allow changing deal registrations.")
    try:
        deal = deal_for(organisation=caller.organisation, deal_id=deal_id)
    except Deal.DoesNotExist as exc:
        raise Http404("No such deal registration.") from exc
    action = request.POST.get("action") if request.method == "POST" else None
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    lost_form = LostForm(request.POST if action == "lost" else None)
    invoice_form = InvoiceForm(request.POST if action == "invoice" else None)
    fee = ReferralFee.objects.for_tenant(caller.organisation).filter(deal=deal).first()
    status = 200
    if request.method == "POST":
        try:
            if action == "answer" and answer_form.is_valid():
                deal_answer(
                    deal=deal,
                    actor=request.user,
                    role=caller.role,
                    answer=answer_form.cleaned_data["answer"],
                )
                messages.success(request, "Thank you: your answer is with the channel team.")
                return redirect("deals:detail", deal_id=deal.pk)
            if action == "won":
                deal_mark_won(deal=deal, actor=request.user, role=caller.role)
                messages.success(request, f"{deal.reference} is marked won.")
                return redirect("deals:detail", deal_id=deal.pk)
            if action == "invoice" and fee is not None and invoice_form.is_valid():
                referral_fee_invoice(
                    fee=fee,
                    actor=request.user,
                    role=caller.role,
                    invoice_number=invoice_form.cleaned_data["invoice_number"],
                )
                messages.success(request, "Your invoice is with the channel team.")
                return redirect("deals:detail", deal_id=deal.pk)
            if action == "lost" and lost_form.is_valid():
                deal_mark_lost(
                    deal=deal,
                    actor=request.user,
                    role=caller.role,
                    reason=lost_form.cleaned_data["reason"],
                )
                messages.success(request, f"{deal.reference} is marked lost.")
                return redirect("deals:detail", deal_id=deal.pk)
        except DomainError as exc:
            form = {"answer": answer_form, "lost": lost_form, "invoice": invoice_form}.get(action)
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
                return redirect("deals:detail", deal_id=deal.pk)
        status = 400
    return render(
        request,
        "deals/registrations/detail.html",
        {
            "deal": deal,
            "history": deal_history(deal=deal),
            "can_act": can_act,
            "answer_form": answer_form,
            "lost_form": lost_form,
            "invoice_form": invoice_form,
            "fee": fee,
            "fee_note": referral_fee_note(deal),
            "may_answer": deal.status == Deal.Status.MORE_INFO_REQUESTED,
            "may_win": deal.status == Deal.Status.APPROVED and fee is None,
            "may_lose": deal.status in (*Deal.OPEN, Deal.Status.APPROVED) and fee is None,
        },
        status=status,
    )


urlpatterns = [
    path("deals/", deal_list, name="list"),
    path("deals/new/", deal_new, name="new"),
    path("deals/<uuid:deal_id>/", deal_detail, name="detail"),
]
