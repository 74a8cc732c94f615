"""Pages: the organisation's locator profile (every member reads it, admins edit it)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from partners import roles
from partners.forms.profile import ProfileForm
from partners.selectors.directory import (
    profile_for_organisation,
    profile_is_listed,
    profile_listing_problems,
    profile_logo_data_uri,
)
from partners.services.profile import (
    DESCRIPTION_MAX_WORDS,
    DESCRIPTION_MIN_WORDS,
    EDITABLE_FIELDS,
    profile_update,
    word_count,
)
from portal.errors import DomainError
from portal.tenancy.access import member_required


@member_required(roles=roles.ALL)
@require_http_methods(["GET", "POST"])
def profile(request):
    caller = request.caller
    organisation = caller.organisation
    can_edit = caller.role in roles.EDIT_PROFILE
    current = profile_for_organisation(organisation=organisation)

    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only your organisation's administrators can edit its profile.")
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
            try:
                profile_update(
                    organisation=organisation,
                    actor=request.user,
                    data=data,
                    logo=form.cleaned_data["logo"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("partners:profile")
    else:
        form = ProfileForm(
            initial={field: str(getattr(current, field) or "") for field in EDITABLE_FIELDS}
        )

    listed = not current._state.adding and profile_is_listed(organisation=organisation)
    return render(
        request,
        "partners/profile/profile.html",
        {
            "form": form,
            "profile": current,
            "can_edit": can_edit,
            "is_new": current._state.adding,
            "listed": listed,
            "listing_problems": [] if listed else profile_listing_problems(profile=current),
            "logo_src": profile_logo_data_uri(profile=current),
            "description_words": word_count(current.description),
            "min_words": DESCRIPTION_MIN_WORDS,
            "max_words": DESCRIPTION_MAX_WORDS,
        },
    )


urlpatterns = [
    path("profile/", profile, name="profile"),
]
