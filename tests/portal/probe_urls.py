"""The real URLs plus probe views that deliberately forget the tenant filter, so tests can
watch what the database alone lets through a real request."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from partners.models import Membership
from portal.urls import urlpatterns as real_urlpatterns


def forgetful_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.tenant_id', true)")
        role, tenant = cursor.fetchone()
    return JsonResponse(
        {
            # No for_tenant(): only row-level security stands between tenants here.
            "organisations": sorted(
                {str(o) for o in Membership.objects.values_list("organisation_id", flat=True)}
            ),
            "role": role,
            "tenant": tenant,
        }
    )


def write_then_fail_view(request):
    membership = Membership.objects.get(user=request.user)
    membership.role = Membership.Role.FINANCE
    membership.save(update_fields=["role"])
    raise RuntimeError("fails after writing")


urlpatterns = [
    path("probe/forgetful", forgetful_view),
    path("probe/write-then-fail", write_then_fail_view),
    *real_urlpatterns,
]
