from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect

STAFF_PATHS = ("/admin/", "/api/v1/staff/")


class StaffMFARequiredMiddleware:
    """Staff must have TOTP before they may use the channel team's tools (MFA_REQUIRED_FOR_STAFF).

    The admin login itself goes through allauth (urls.py), so a staff member with TOTP is
    asked for the code at login; this middleware sends one without TOTP to enrol first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.path.startswith(STAFF_PATHS)
            and request.user.is_authenticated
            and request.user.is_staff
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
