"""The marketing center: which asset a partner sees (programme, type, tier, published) in
the list, the detail, the download and the API; download counts per partner and asset
(also concurrent ones); the channel team's checked uploads."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from partners.models import AssetDownload, MarketingAsset, Organisation
from partners.selectors.marketing import assets_visible_to
from partners.services.marketing import asset_download_record, asset_file_check, asset_save
from portal.errors import DomainError, Forbidden
from portal.tenancy.context import tenant_context
from tests.factories import PartnerTypeFactory, ProgrammeFactory, TierFactory, staff_user
from tests.partners.factories_marketing import PDF, make_asset, png_bytes
from tests.tenancy_support import observer


def _set_tier(tenant, level: int) -> None:
    tier = TierFactory(partner_type=tenant.organisation.partner_type, level=level)
    with observer():
        Organisation.objects.filter(pk=tenant.organisation.pk).update(tier=tier)
    tenant.organisation.refresh_from_db()


@pytest.fixture
def catalogue(tenants):
    """Bob is a reseller of tier 1 in the default programme."""
    bob = tenants.bob
    _set_tier(bob, 1)
    pt = bob.organisation.partner_type
    programme = pt.programme
    return {
        "open": make_asset(programme=programme, title="Reseller Partner badge"),
        "for_resellers": make_asset(programme=programme, partner_types=[pt], title="For resellers"),
        "gold": make_asset(programme=programme, min_tier_level=3, title="Gold Partner badge"),
        "distributors": make_asset(
            programme=programme,
            partner_types=[tenants.alice.organisation.partner_type],
            title="Distributor deck",
        ),
        "draft": make_asset(programme=programme, published=False, title="Draft case study"),
        "elsewhere": make_asset(
            programme=ProgrammeFactory(code="other-programme"), title="Other programme"
        ),
    }


HIDDEN = ("gold", "distributors", "draft", "elsewhere")


@pytest.mark.django_db
def test_the_rule_shows_the_programme_type_tier_and_published_assets_only(tenants, catalogue):
    visible = set(assets_visible_to(tenants.bob.organisation).values_list("title", flat=True))
    assert visible == {"Reseller Partner badge", "For resellers"}
    _set_tier(tenants.bob, 3)
    visible = set(assets_visible_to(tenants.bob.organisation).values_list("title", flat=True))
    assert visible == {"Reseller Partner badge", "For resellers", "Gold Partner badge"}


@pytest.mark.django_db
def test_a_partner_without_a_tier_sees_no_tiered_asset(tenants, catalogue):
    with observer():
        Organisation.objects.filter(pk=tenants.bob.organisation.pk).update(tier=None)
    tenants.bob.organisation.refresh_from_db()
    titles = set(assets_visible_to(tenants.bob.organisation).values_list("title", flat=True))
    assert "Gold Partner badge" not in titles
    assert "Reseller Partner badge" in titles


@pytest.mark.django_db
def test_hidden_assets_are_neither_listed_nor_reachable_by_url(tenants, catalogue):
    browser, api = tenants.bob.browser(), tenants.bob.api()
    page = browser.get("/space/marketing/").content.decode()
    listed = api.get("/api/v1/assets").json()
    listed_ids = {row["id"] for row in listed["results"]}
    assert {str(catalogue["open"].pk), str(catalogue["for_resellers"].pk)} == listed_ids
    for key in HIDDEN:
        asset = catalogue[key]
        assert asset.title not in page
        assert str(asset.pk) not in page
        assert browser.get(f"/space/marketing/{asset.pk}/").status_code == 404
        assert browser.get(f"/space/marketing/{asset.pk}/download/").status_code == 404
        assert api.get(f"/api/v1/assets/{asset.pk}/download").status_code == 404
    with observer():
        assert not AssetDownload.objects.exists()  # a refused download counts nothing


@pytest.mark.django_db
def test_filters_by_kind_and_search(tenants, catalogue):
    badge = make_asset(
        programme=tenants.bob.organisation.partner_type.programme,
        kind=MarketingAsset.Kind.BADGE,
        title="Silver badge",
        content=png_bytes(),
        content_type="image/png",
    )
    api = tenants.bob.api()
    rows = api.get("/api/v1/assets", {"kind": "badge"}).json()["results"]
    assert [row["id"] for row in rows] == [str(badge.pk)]
    rows = api.get("/api/v1/assets", {"search": "resellers"}).json()["results"]
    assert [row["title"] for row in rows] == ["For resellers"]
    assert api.get("/api/v1/assets", {"kind": "poster"}).status_code == 400
    page = tenants.bob.browser().get("/space/marketing/?kind=badge").content.decode()
    assert "Silver badge" in page
    assert "For resellers" not in page


@pytest.mark.django_db
def test_downloads_are_attachments_counted_per_partner_and_asset(tenants, catalogue):
    asset = catalogue["open"]
    browser = tenants.bob.browser()
    response = browser.get(f"/space/marketing/{asset.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert tenants.bob.api().get(f"/api/v1/assets/{asset.pk}/download").status_code == 200
    charlie_asset = make_asset(programme=tenants.charlie.organisation.partner_type.programme)
    tenants.charlie.browser().get(f"/space/marketing/{asset.pk}/download/")
    with observer():
        counts = {
            (row.organisation_id, row.asset_id): row.count for row in AssetDownload.objects.all()
        }
    assert counts == {
        (tenants.bob.organisation.pk, asset.pk): 2,
        (tenants.charlie.organisation.pk, asset.pk): 1,
    }
    # Each partner sees its own count, never another's.
    rows = {
        r["id"]: r["downloaded"] for r in tenants.bob.api().get("/api/v1/assets").json()["results"]
    }
    assert rows[str(asset.pk)] == 2
    rows = {
        r["id"]: r["downloaded"]
        for r in tenants.charlie.api().get("/api/v1/assets").json()["results"]
    }
    assert rows[str(asset.pk)] == 1
    assert rows[str(charlie_asset.pk)] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_downloads_are_all_counted(tenants_committed):
    bob = tenants_committed.bob
    asset = make_asset(programme=bob.organisation.partner_type.programme)
    workers = 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def download():
        try:
            barrier.wait()
            with tenant_context(bob.organisation.pk):
                asset_download_record(organisation=bob.organisation, asset=asset)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with observer():
        row = AssetDownload.objects.get(organisation=bob.organisation, asset=asset)
    assert row.count == workers


# --- The channel team's uploads ------------------------------------------------------


def _upload(content: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("template.docx", b"template")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, "application/pdf"), (None, "image/png"), (b"zip", "application/zip")],
)
def test_pdf_png_and_zip_are_accepted_by_their_content(content, content_type):
    content = {None: png_bytes(), b"zip": _zip()}.get(content, content)
    checked = asset_file_check(_upload(content, "whatever.bin"))
    assert checked.content_type == content_type
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "badge.svg", "file_format"),
        (b"MZ\x90\x00 an executable", "datasheet.pdf", "file_format"),
        (b"PK\x03\x04 not really a zip", "pack.zip", "file_unreadable"),
        (b"\x89PNG\r\n\x1a\n broken", "badge.png", "file_unreadable"),
        (b"", "empty.pdf", "file_empty"),
    ],
)
def test_other_content_is_refused_whatever_its_name(content, name, code):
    with pytest.raises(DomainError) as refused:
        asset_file_check(_upload(content, name))
    assert refused.value.code == code
    assert refused.value.field == "file"


def test_the_size_limit_stays_below_the_request_body_limit(settings):
    assert settings.MARKETING_ASSET_MAX_BYTES + 64 * 1024 <= settings.REQUEST_BODY_MAX_BYTES
    settings.MARKETING_ASSET_MAX_BYTES = 16
    with pytest.raises(DomainError) as refused:
        asset_file_check(_upload(PDF, "big.pdf"))
    assert refused.value.code == "file_too_big"


@pytest.mark.django_db
def test_saving_an_asset_needs_the_permission_and_stores_a_random_name(tenants):
    programme = tenants.bob.organisation.partner_type.programme
    fields = {
        "programme": programme,
        "title": "Case study",
        "kind": MarketingAsset.Kind.CASE_STUDY,
        "upload": _upload(PDF, "Customer story.pdf"),
    }
    with pytest.raises(Forbidden):
        asset_save(actor=tenants.bob.admin, **fields)
    actor = staff_user("partners.add_marketingasset")
    asset = asset_save(actor=actor, published=True, **fields)
    assert asset.original_name == "Customer story.pdf"
    assert asset.content_type == "application/pdf"
    assert asset.size == len(PDF)
    assert "Customer story" not in asset.file.name
    assert asset.file.name.endswith(".pdf")
    assert len(asset.sha256) == 64


@pytest.mark.django_db
def test_types_must_be_the_programmes_and_the_tier_must_exist(tenants):
    programme = tenants.bob.organisation.partner_type.programme
    actor = staff_user("partners.add_marketingasset")
    foreign = PartnerTypeFactory(programme=ProgrammeFactory(code="foreign"), code="reseller")
    base = {"actor": actor, "programme": programme, "title": "X", "kind": "logo"}
    with pytest.raises(DomainError) as refused:
        asset_save(**base, partner_types=[foreign], upload=_upload(PDF, "x.pdf"))
    assert refused.value.field == "partner_types"
    with pytest.raises(DomainError) as refused:
        asset_save(**base, min_tier_level=9, upload=_upload(PDF, "x.pdf"))
    assert refused.value.field == "min_tier_level"


@pytest.mark.django_db
def test_the_admin_uploads_through_the_service_and_shows_counts(tenants, catalogue, client):
    staff = staff_user(
        "partners.add_marketingasset",
        "partners.change_marketingasset",
        "partners.view_marketingasset",
    )
    client.force_login(staff)
    programme = tenants.bob.organisation.partner_type.programme
    data = {
        "programme": programme.pk,
        "title": "Fake badge",
        "kind": "badge",
        "upload": _upload(b"<svg/>", "badge.svg"),
        "downloads-TOTAL_FORMS": "0",
        "downloads-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/partners/marketingasset/add/", data)
    assert response.status_code == 200
    assert b"SVG is not accepted" in response.content
    data["upload"] = _upload(png_bytes(), "badge.png")
    response = client.post("/admin/partners/marketingasset/add/", data)
    assert response.status_code == 302, response.content[:2000]
    assert MarketingAsset.objects.filter(title="Fake badge", content_type="image/png").exists()

    asset = catalogue["open"]
    asset_download_record(organisation=tenants.bob.organisation, asset=asset)
    asset_download_record(organisation=tenants.bob.organisation, asset=asset)
    asset_download_record(organisation=tenants.charlie.organisation, asset=asset)
    page = client.get(f"/admin/partners/marketingasset/{asset.pk}/change/").content.decode()
    assert tenants.bob.organisation.name in page
    assert tenants.charlie.organisation.name in page
    listing = client.get("/admin/partners/marketingasset/").content.decode()
    assert "Reseller Partner badge" in listing
