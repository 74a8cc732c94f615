"""Pages: team and invitations."""

urlpatterns: list = []  # reseller space
public_urlpatterns: list = []  # invitation acceptance (no login)
