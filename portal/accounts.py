from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """No self-service sign-up: partners apply through the application form, and people
        join through an invitation from their organisation's admin or the channel team."""
        return False
