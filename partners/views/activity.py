"""Pages: the organisation's activity (its audit trail), for its administrators."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from partners import roles
from portal.audit.selectors import activity_for_organisation, actor_for_partner
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.VIEW_ACTIVITY)
@require_safe
def activity(request):
    events = activity_for_organisation(organisation=request.caller.organisation)
    page = page_of(request, events)
    return render(
        request,
        "partners/activity/activity.html",
        {
            "page_obj": page,
            "events": [(event, actor_for_partner(event)) for event in page.object_list],
        },
    )


urlpatterns = [path("activity/", activity, name="activity")]
