"""The /api/v1/ views that are not TenantViewSets, each with the kind of permission it
must check and why it needs no tenant-filtered queryset. A TenantViewSet decides the
queryset itself (portal/api/viewsets.py); any other view that reads tenant rows does so
only for the caller's own organisation through a selector, or is public or for the
channel team. tests/test_cross_tenant.py fails for a view that is neither a TenantViewSet
nor listed here, or that does not check its kind of permission:

- ``MEMBER``: portal.api.permissions.IsPartnerMember (an open organisation, the roles);
- ``STAFF``: portal.api.permissions.StaffPermission(<Django permission>);
- ``AUTHENTICATED``: any logged-in caller (DRF's IsAuthenticated);
- ``PUBLIC``: anyone (DRF's AllowAny).
"""

MEMBER, STAFF, AUTHENTICATED, PUBLIC = "member", "staff", "authenticated", "public"

_OWN = "the caller's own organisation only, through a selector given caller.organisation"
_STAFF = "the channel team's review: applications are not tenant rows until approved"
_APPLIANCE = (
    "an appliance with a licence key (its only credential): the service finds that key's "
    "licence in the public:activation context and touches nothing else"
)
_STAFF_LICENSING = "the channel team's review of partners' licence requests (every tenant's)"
_DEAL_REVIEW = "the channel team's decisions on any partner's deal registration (deals.review_deal)"
_REFERRALS = "the channel team's referral steps for any partner (deals.manage_referrals)"
_RESELLERS = (
    "distributors only (billing.services.reseller_terms.require_distributor): the "
    "organisations attached to the caller (Organisation.distributor) and the caller's own "
    "discount rows (owned_by); another's reseller is 404 (two_tier.attached_reseller)"
)
_DIRECTORY = "the public locator: listed profiles' public fields (partners.selectors.directory)"

OUTSIDE_TENANT_VIEWSET: dict[str, tuple[str, str]] = {
    "partners.api.me.MeView": (
        AUTHENTICATED,
        "who am I: the caller's user, membership and organisation from request.caller",
    ),
    "partners.api.applications.ApplicationCreateView": (
        PUBLIC,
        "the public application form: there is no tenant until the channel team approves",
    ),
    "partners.api.applications.StaffApplicationList": (STAFF, _STAFF),
    "partners.api.applications.StaffApplicationDetail": (STAFF, _STAFF),
    "partners.api.applications.StaffApplicationApprove": (STAFF, _STAFF),
    "partners.api.applications.StaffApplicationReject": (STAFF, _STAFF),
    "partners.api.applications.StaffApplicationRequestInfo": (STAFF, _STAFF),
    "partners.api.applications.AgreementView": (MEMBER, _OWN),
    "partners.api.applications.AgreementSignView": (MEMBER, _OWN),
    "partners.api.directory.ProfileView": (MEMBER, _OWN),
    "partners.api.directory.DirectoryListView": (PUBLIC, _DIRECTORY),
    "partners.api.directory.DirectoryDetailView": (PUBLIC, _DIRECTORY),
    "partners.api.training.TrainingSummaryView": (MEMBER, _OWN),
    "pes.api_status.TierStatusView": (MEMBER, _OWN),
    "licensing.api.activation.PublicKeyView": (
        PUBLIC,
        "the vendor's public signing keys: platform data, no tenant's",
    ),
    "licensing.api.activation.ActivationsView": (PUBLIC, _APPLIANCE),
    "licensing.api.activation.ActivationDetailView": (PUBLIC, _APPLIANCE),
    "licensing.api.nfr.NfrView": (MEMBER, _OWN),
    "licensing.api.trials.StaffTrialExtensionList": (STAFF, _STAFF_LICENSING),
    "licensing.api.trials.StaffTrialExtensionApprove": (STAFF, _STAFF_LICENSING),
    "licensing.api.trials.StaffTrialExtensionReject": (STAFF, _STAFF_LICENSING),
    "licensing.api.evaluation.StaffEvaluationList": (STAFF, _STAFF_LICENSING),
    "licensing.api.evaluation.StaffEvaluationApprove": (STAFF, _STAFF_LICENSING),
    "licensing.api.evaluation.StaffEvaluationReject": (STAFF, _STAFF_LICENSING),
    "partners.api.sessions.SessionListView": (
        MEMBER,
        "programme data, not tenant rows: the upcoming sessions the caller's type and tier "
        "may join (partners.selectors.sessions.sessions_upcoming)",
    ),
    "partners.api.sessions.SessionRegistrationsView": (
        MEMBER,
        "a session the caller may join (404 otherwise) and the caller's own registrations "
        "for it (registrations_of); registering goes through session_register",
    ),
    "partners.api.sessions.RegistrationListView": (MEMBER, _OWN),
    "partners.api.sessions.RegistrationCancelView": (MEMBER, _OWN),
    "partners.api.marketing.AssetListView": (
        MEMBER,
        "programme data, not tenant rows: the assets the caller's programme, type and tier "
        "may see (partners.selectors.marketing.assets_visible_to) with the caller's own "
        "download counts only",
    ),
    "partners.api.marketing.AssetDownloadView": (
        MEMBER,
        "an asset the caller may see (assets_visible_to, 404 otherwise), counted for the "
        "caller's own organisation",
    ),
    "licensing.api.catalogue.ProductListView": (
        MEMBER,
        "programme data, not tenant rows: the active catalogue of the caller's own "
        "programme (licensing.selectors.catalogue.catalogue_for), never another programme's",
    ),
    "billing.api.pricing.PricingPreviewView": (
        MEMBER,
        "prices the caller's own sale (its deal looked up with owned_by), or a sale of a "
        "reseller attached to the caller (billing.services.two_tier.attached_reseller, 404 "
        "otherwise) in that reseller's context",
    ),
    "billing.api.accounts.BillingAccountView": (
        MEMBER,
        "the caller's own billing account (billing.selectors.accounts, owned_by) and its "
        "change through billing.services.accounts",
    ),
    "billing.api.resellers.ResellerListView": (MEMBER, _RESELLERS),
    "billing.api.resellers.ResellerDiscountView": (MEMBER, _RESELLERS),
    "billing.api.resellers.DefaultDiscountView": (MEMBER, _RESELLERS),
    "deals.api.registrations.DealApproveView": (STAFF, _DEAL_REVIEW),
    "deals.api.registrations.DealRejectView": (STAFF, _DEAL_REVIEW),
    "deals.api.registrations.DealRequestInfoView": (STAFF, _DEAL_REVIEW),
    "deals.api.registrations.DealExtendView": (STAFF, _DEAL_REVIEW),
    "deals.api.referrals.ReferralRecordSaleView": (STAFF, _REFERRALS),
    "deals.api.referrals.ReferralDeclineView": (STAFF, _REFERRALS),
    "deals.api.referrals.DealOnlinePurchaseView": (STAFF, _REFERRALS),
    "deals.api.referrals.ReferralFeeApproveView": (STAFF, _REFERRALS),
    "deals.api.referrals.ReferralFeeMarkPaidView": (STAFF, _REFERRALS),
}
