import ipaddress

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from portal.vendor.selectors import current_vendor


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """No self-service sign-up: partners apply through the application form, and people
        join through an invitation from their organisation's admin or the channel team."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth renders its emails without the context processors: the vendor's
        signature (templates/account/email/base_message.txt) needs it given."""
        super().send_mail(template_prefix, email, {"vendor": current_vendor(), **context})

    def format_email_subject(self, subject) -> str:
        brand = current_vendor().brand_name
        if not brand:
            return super().format_email_subject(subject)
        return f"[{brand} Partner Portal] {subject}"

    def get_login_redirect_url(self, request) -> str:
        """The channel team lands in the admin; partners in their reseller space."""
        user = request.user
        if user.is_staff and not hasattr(user, "membership"):
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed logins count per account *and* client address, so they never lock out.

        allauth's ``login_failed`` rate limit (ACCOUNT_RATE_LIMITS) has an address scope
        (``ip``) and a ``key`` scope whose key is this method's result: by default the
        account alone, so anyone's five wrong passwords refused the owner's right one, from
        anywhere, for five minutes (ASVS 5 V6.3 forbids such a lockout). Adding the address
        confines an attacker's failures to the attacker's address. The consume-then-roll-
        back-on-success logic stays allauth's. This is the hook allauth's maintainer names
        for it (allauth issue 3584); there is no public setting. If an upgrade stops calling
        it, tests/accounts/test_login_throttling.py fails.
        """
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}@{_rate_limit_address(self.get_client_ip(request))}"


def _rate_limit_address(ip: str) -> str:
    """The address as allauth's own ``ip`` scope counts it: an IPv6 client is its network
    (ALLAUTH_RATE_LIMIT_IPV6_PREFIX, /64 by default), since one host holds a whole /64."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
    return str(address)
