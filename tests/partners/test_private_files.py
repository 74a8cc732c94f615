"""Private files (issue 6 §7): agreements and order forms have no URL, in development
either; only owner-checked views serve them, as attachments that are not sniffed or cached."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client
from django.urls import clear_url_caches

from partners.models import Agreement, Membership
from tests.factories import UserFactory
from tests.partners.factories_onboarding import TINY_PDF, AgreementFactory
from tests.partners.factories_team import member_of


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as `make run` loads it (DEBUG on), for the length of a test."""
    import portal.urls

    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


def _agreement(tenant) -> Agreement:
    return AgreementFactory(organisation=tenant.organisation)


def _url(agreement: Agreement, kind: str = "order-form") -> str:
    return f"/space/agreement/{agreement.pk}/{kind}.pdf"


def _assert_private_download(response) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_old_public_url_answers_404_and_the_file_is_not_under_media_root(
    tenants, roots, debug_urls
):
    media_root, private_root = roots
    agreement = _agreement(tenants.alice)
    name = agreement.order_form_pdf.name
    assert name.startswith("agreements/")

    # The file lives in the private root, nowhere under the public media directory...
    assert (private_root / name).is_file()
    assert not (media_root / name).exists()
    # ...and no URL serves either directory, even with DEBUG on
    for client in (Client(), tenants.alice.browser()):
        assert client.get(f"/media/{name}").status_code == 404
    with pytest.raises(ValueError, match="no URL"):
        agreement.order_form_pdf.url  # noqa: B018


@pytest.mark.django_db
def test_members_download_their_documents_as_attachments(tenants, roots):
    agreement = _agreement(tenants.alice)
    sales = member_of(tenants.alice, role=Membership.Role.SALES)
    finance = Client()
    finance.force_login(sales.user)
    for client in (tenants.alice.browser(), finance):
        for kind in ("agreement", "order-form"):
            _assert_private_download(client.get(_url(agreement, kind)))
    # and through the API's session token, which the agreement's JSON links to
    _assert_private_download(tenants.alice.api().get(_url(agreement)))


@pytest.mark.django_db
def test_another_tenant_gets_404_and_a_visitor_is_sent_to_log_in(tenants, roots):
    agreement = _agreement(tenants.alice)
    for other in (tenants.bob, tenants.charlie):
        assert other.browser().get(_url(agreement)).status_code == 404
        assert other.api().get(_url(agreement)).status_code == 404
    response = Client().get(_url(agreement))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert tenants.alice.browser().get(_url(agreement, "passwords")).status_code == 404


@pytest.mark.django_db
def test_staff_with_the_view_permission_download_from_the_admin(tenants, roots):
    agreement = _agreement(tenants.alice)
    url = f"/admin/partners/agreement/{agreement.pk}/documents/agreement.pdf"

    # A staff account may download once it holds the view permission
    reviewer = UserFactory(is_staff=True)
    client = Client()
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    reviewer.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    _assert_private_download(client.get(url))

    # The admin's agreement page links to it instead of to a file URL
    page = client.get(f"/admin/partners/agreement/{agreement.pk}/change/")
    assert page.status_code == 200
    assert url in page.content.decode()

    # A partner is no staff member: the admin sends them to its login
    response = tenants.alice.browser().get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_moving_files_an_older_version_stored_in_public_media(tenants, roots):
    media_root, private_root = roots
    # Given an agreement whose documents an older version wrote under MEDIA_ROOT
    name = "agreements/legacy-v2025.1-order-form.pdf"
    storages["default"].save(name, ContentFile(TINY_PDF))
    agreement = AgreementFactory(organisation=tenants.alice.organisation, order_form_pdf=name)
    assert (media_root / name).is_file()

    call_command("move_private_files", stdout=(out := io.StringIO()))

    assert "1 file(s) moved" in out.getvalue()
    assert not (media_root / name).exists()
    assert (private_root / name).read_bytes() == TINY_PDF
    _assert_private_download(tenants.alice.browser().get(_url(agreement)))
    call_command("move_private_files", stdout=(again := io.StringIO()))
    assert "0 file(s) moved" in again.getvalue()


@pytest.mark.django_db
def test_a_private_root_inside_the_public_media_root_is_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert "portal.E002" in {message.id for message in run_checks()}
    settings.PRIVATE_MEDIA_ROOT = tmp_path.parent / f"{tmp_path.name}-private"
    assert "portal.E002" not in {message.id for message in run_checks()}


@pytest.mark.django_db
def test_staff_use_the_admin_not_the_members_view(tenants, roots):
    """The member view serves members only; staff go through the admin's permission check."""
    agreement = _agreement(tenants.alice)
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert staff.get(_url(agreement)).status_code == 403
