"""Pages: the team (members, invitations) and the public invitation acceptance page.

Every change calls one service of partners/services/team.py, as the API does.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partners import roles
from partners.forms.team import AcceptInvitationForm, InviteForm, RoleChangeForm
from partners.models import Invitation, Membership
from partners.selectors.team import (
    INVITED,
    UNUSABLE_MESSAGES,
    admin_count,
    invitation_for_token,
    invitation_open_list,
    invitation_status,
    member_list,
    user_for_email,
)
from partners.services.team import (
    INVITATION_VALIDITY,
    InvitationGone,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@member_required
@require_http_methods(["GET", "POST"])
def team(request):
    """Everyone sees the members; admins also invite, change roles and revoke (POST with
    an ``action``). Removing someone has its own confirmation page."""
    caller = request.caller
    organisation = caller.organisation
    can_manage = caller.role in roles.MANAGE_TEAM
    invite_form = InviteForm()
    row_errors: dict[str, str] = {}
    status = 200

    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only your organisation's administrators can manage the team.")
        action = request.POST.get("action")
        if action == "invite":
            invite_form = InviteForm(request.POST)
            if invite_form.is_valid():
                try:
                    invitation = invitation_create(
                        organisation=organisation,
                        email=invite_form.cleaned_data["email"],
                        role=invite_form.cleaned_data["role"],
                        invited_by=caller.user,
                        base_url=_base_url(request),
                    )
                except DomainError as exc:
                    invite_form.add_error(
                        exc.field if exc.field in invite_form.fields else None, exc.message
                    )
                else:
                    messages.success(request, f"Invitation sent to {invitation.email}.")
                    return redirect("partners:team")
        elif action == "change_role":
            membership = get_for_tenant_or_404(
                Membership.objects.select_related("user"),
                organisation,
                pk=request.POST.get("membership", ""),
            )
            form = RoleChangeForm(request.POST)
            try:
                if not form.is_valid():
                    raise DomainError("Choose a role.", field="role")
                membership_change_role(
                    membership=membership, role=form.cleaned_data["role"], actor=caller.user
                )
            except DomainError as exc:
                row_errors[str(membership.pk)] = exc.message
            else:
                messages.success(request, f"{membership.user.get_full_name()}'s role changed.")
                return redirect("partners:team")
        elif action == "revoke":
            invitation = get_for_tenant_or_404(
                Invitation.objects.all(), organisation, pk=request.POST.get("invitation", "")
            )
            try:
                invitation_revoke(invitation=invitation, actor=caller.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Invitation to {invitation.email} withdrawn.")
            return redirect("partners:team")
        else:
            messages.error(request, "Unknown action.")
            return redirect("partners:team")
        status = 400

    members = page_of(request, member_list(organisation=organisation), param="members_page")
    admins = admin_count(organisation=organisation)
    rows = [
        {
            "member": m,
            "only_admin": m.role == roles.ADMIN and admins == 1,
            "error": row_errors.get(str(m.pk), ""),
        }
        for m in members
    ]
    invitations_page = None
    invitations = []
    if can_manage:
        invitations_page = page_of(
            request, invitation_open_list(organisation=organisation), param="invitations_page"
        )
        invitations = [
            (invitation, invitation_status(invitation=invitation))
            for invitation in invitations_page
        ]
    return render(
        request,
        "partners/team/team.html",
        {
            "rows": rows,
            "members_page": members,
            "invitations": invitations,
            "invitations_page": invitations_page,
            "can_manage": can_manage,
            "invite_form": invite_form,
            "role_choices": Membership.Role.choices,
            "validity_days": INVITATION_VALIDITY.days,
        },
        status=status,
    )


@member_required(roles=roles.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def member_remove(request, membership_id):
    """Confirm, then remove a member (they keep their account, lose access at once)."""
    caller = request.caller
    membership = get_for_tenant_or_404(
        Membership.objects.select_related("user"), caller.organisation, pk=membership_id
    )
    error = ""
    if request.method == "POST":
        try:
            membership_remove(membership=membership, actor=caller.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                f"{membership.user.get_full_name()} was removed from {caller.organisation.name}.",
            )
            if membership.user_id == caller.user.pk:  # removed themselves: no space any more
                return redirect("home")
            return redirect("partners:team")
    return render(
        request,
        "partners/team/member_remove.html",
        {"membership": membership, "error": error, "is_self": membership.user_id == caller.user.pk},
        status=409 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_page(request, token):
    """The emailed link. Shows who invites to what; then, depending on the visitor: a form
    to create an account, a request to log in, or one button to join."""
    invitation = invitation_for_token(token=token)
    if invitation is None:
        return _invitation_unusable(request, "This invitation link is not valid.", status=404)
    state = invitation_status(invitation=invitation)
    if state != INVITED:
        return _invitation_unusable(request, UNUSABLE_MESSAGES[state], status=410)

    caller = request.caller
    user = caller.user if caller.is_authenticated else None
    if user is not None:
        mode = "join" if user.email.lower() == invitation.email else "wrong_account"
    elif user_for_email(email=invitation.email) is not None:
        mode = "login"
    else:
        mode = "signup"
    form = AcceptInvitationForm(request.POST or None) if mode == "signup" else None
    error = ""
    status = 200

    if request.method == "POST" and mode in {"join", "signup"}:
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            try:
                membership = invitation_accept(
                    token=token,
                    user=user,
                    full_name=data.get("full_name", ""),
                    password=data.get("password", ""),
                )
            except InvitationGone as exc:
                return _invitation_unusable(request, exc.message, status=410)
            except DomainError as exc:
                if form is not None and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    error = exc.message
            else:
                if user is None:
                    login(request, membership.user, backend=LOGIN_BACKEND)
                messages.success(request, f"Welcome to {invitation.organisation.name}.")
                return redirect("space:dashboard")
        status = 400

    return render(
        request,
        "partners/team/invitation_accept.html",
        {
            "invitation": invitation,
            "mode": mode,
            "form": form,
            "error": error,
            "visitor": user,
        },
        status=status,
    )


def _invitation_unusable(request, message: str, *, status: int):
    return render(
        request, "partners/team/invitation_unusable.html", {"message": message}, status=status
    )


urlpatterns = [  # reseller space (mounted under /space/)
    path("team/", team, name="team"),
    path("team/members/<str:membership_id>/remove/", member_remove, name="team_member_remove"),
]
public_urlpatterns = [  # invitation acceptance (no login)
    path("invitations/<str:token>/", invitation_accept_page, name="invitation_accept"),
]
