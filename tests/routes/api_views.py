"""The /api/v1/ views that are not TenantViewSets, each with the permission it must check
and why it needs no tenant-filtered queryset. A TenantViewSet decides the queryset itself
(portal/api/viewsets.py); any other view that reads tenant rows does so only for the
caller's own organisation through a selector, or is public or for the channel team.
tests/test_cross_tenant.py fails for a view that is neither a TenantViewSet nor listed here."""

from rest_framework.permissions import AllowAny, IsAuthenticated

from portal.api.permissions import IsChannelTeam, IsPartnerMember

_OWN = "the caller's own organisation only, through a selector given caller.organisation"
_STAFF = "the channel team's review: applications are not tenant rows until approved"
_DIRECTORY = "the public locator: listed profiles' public fields (partners.selectors.directory)"

OUTSIDE_TENANT_VIEWSET: dict[str, tuple[type, str]] = {
    "partners.api.me.MeView": (
        IsAuthenticated,
        "who am I: the caller's user, membership and organisation from request.caller",
    ),
    "partners.api.applications.ApplicationCreateView": (
        AllowAny,
        "the public application form: there is no tenant until the channel team approves",
    ),
    "partners.api.applications.StaffApplicationList": (IsChannelTeam, _STAFF),
    "partners.api.applications.StaffApplicationDetail": (IsChannelTeam, _STAFF),
    "partners.api.applications.StaffApplicationApprove": (IsChannelTeam, _STAFF),
    "partners.api.applications.StaffApplicationReject": (IsChannelTeam, _STAFF),
    "partners.api.applications.StaffApplicationRequestInfo": (IsChannelTeam, _STAFF),
    "partners.api.applications.AgreementView": (IsPartnerMember, _OWN),
    "partners.api.applications.AgreementSignView": (IsPartnerMember, _OWN),
    "partners.api.directory.ProfileView": (IsPartnerMember, _OWN),
    "partners.api.directory.DirectoryListView": (AllowAny, _DIRECTORY),
    "partners.api.directory.DirectoryDetailView": (AllowAny, _DIRECTORY),
    "partners.api.training.TrainingSummaryView": (IsPartnerMember, _OWN),
}
