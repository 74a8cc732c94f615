from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """No self-service sign-up: partners apply through the application form, and people
        join through an invitation from their organisation's admin or the channel team."""
        return False

    def get_login_redirect_url(self, request) -> str:
        """The channel team lands in the admin; partners in their reseller space."""
        user = request.user
        if user.is_staff and not hasattr(user, "membership"):
            return reverse("admin:index")
        return super().get_login_redirect_url(request)
