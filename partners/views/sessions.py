"""Pages: sessions and training. Upcoming sessions the partner may join (with the seats
left), registering and cancelling, the partner's registrations and past attendance. Any
member registers themselves; administrators register any member (the service decides)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partners import roles
from partners.models import Membership, SessionRegistration
from partners.selectors.sessions import registrations_of, sessions_upcoming
from partners.services.sessions import registration_cancel, session_register
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required


def _post(request):
    caller = request.caller
    action = request.POST.get("action")
    try:
        if action == "register":
            registration = session_register(
                organisation=caller.organisation,
                actor=request.user,
                role=caller.role,
                session_id=request.POST.get("session"),
                membership_id=request.POST.get("member") or None,
            )
            messages.success(
                request,
                f"{registration.person_name} is registered for {registration.session.title}; "
                "the confirmation is on its way by email.",
            )
        elif action == "cancel":
            registration = registration_cancel(
                organisation=caller.organisation,
                actor=request.user,
                role=caller.role,
                registration_id=request.POST.get("registration"),
            )
            messages.success(request, f"Registration of {registration.person_name} cancelled.")
        else:
            messages.error(request, "Choose register or cancel.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("partners:sessions")


@require_http_methods(["GET", "HEAD", "POST"])
@member_required(roles=roles.ALL)
def sessions(request):
    if request.method == "POST":
        return _post(request)
    caller = request.caller
    organisation = caller.organisation
    now = timezone.now()
    mine = registrations_of(organisation=organisation)
    upcoming_registrations = mine.filter(
        session__starts_at__gt=now, status=SessionRegistration.Status.REGISTERED
    )
    members = []
    if caller.role == roles.ADMIN:
        members = (
            Membership.objects.owned_by(organisation).select_related("user").order_by("user__email")
        )
    return render(
        request,
        "partners/sessions/overview.html",
        {
            "upcoming": page_of(
                request,
                sessions_upcoming(organisation=organisation, now=now).prefetch_related(
                    "partner_types"
                ),
                param="upcoming_page",
            ),
            "registrations": list(upcoming_registrations),
            "past": page_of(
                request,
                mine.filter(session__starts_at__lte=now)
                .exclude(status=SessionRegistration.Status.CANCELLED)
                .order_by("-session__starts_at", "person_name", "pk"),
                param="past_page",
            ),
            "members": members,
            "is_admin": caller.role == roles.ADMIN,
        },
    )


urlpatterns = [path("sessions/", sessions, name="sessions")]
