"""Pages: the contact requests visitors sent through the locator (reseller space)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from partners import roles
from partners.selectors.contact import contact_requests_for, contact_requests_unread
from partners.services.contact import contact_requests_mark_read
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.VIEW_CONTACT_REQUESTS)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_requests(request):
    caller = request.caller
    if request.method == "POST":  # "Mark all as read"
        count = contact_requests_mark_read(
            organisation=caller.organisation, actor=request.user, role=caller.role
        )
        if count:
            messages.success(request, f"{count} request{'' if count == 1 else 's'} marked read.")
        return redirect("partners:contact_requests")
    requests = contact_requests_for(organisation=caller.organisation)
    page = page_of(request, requests)
    return render(
        request,
        "partners/contact/requests.html",
        {
            "page_obj": page,
            "contact_requests": page.object_list,
            "unread": contact_requests_unread(organisation=caller.organisation),
        },
    )


urlpatterns = [path("requests/", contact_requests, name="contact_requests")]
