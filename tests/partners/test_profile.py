"""Editing the locator profile (SPEC §3.8): the reseller-space page and the API share one
service; every bad input is refused with a field message and stores nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import IntegrityError
from PIL import Image, ImageFile

from partners.models import Membership, PartnerProfile
from partners.services.profile import LOGO_MAX_BYTES, LOGO_MAX_SIDE, profile_update
from portal.errors import DomainError, Forbidden
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.partners.factories_directory import (
    DESCRIPTION,
    PartnerProfileFactory,
    black_png,
    bomb_png,
    give_logo,
    image_bytes,
    jpeg_with_metadata,
    noise_jpeg,
    noise_png,
    upload,
    words,
)
from tests.tenancy_support import observer

API = "/api/v1/profile"
PAGE = "/space/profile/"

VALID = {
    "display_name": "Alice Systems",
    "description": DESCRIPTION,
    "city": "Berlin",
    "region": "Berlin",
    "country": "DE",
    "website": "https://alice.example",
    "territory": "Germany",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def load_profile(organisation) -> PartnerProfile | None:
    with observer():
        return PartnerProfile.objects.filter(organisation=organisation).first()


def snapshot(organisation) -> dict | None:
    profile = load_profile(organisation)
    if profile is None:
        return None
    fields = [*VALID, "logo", "logo_width", "logo_height", "updated_at"]
    return {f: str(getattr(profile, f)) for f in fields}


def stored_image(media_root: Path, profile: PartnerProfile) -> Image.Image:
    image = Image.open(media_root / profile.logo.name)
    image.load()
    return image


# --- Reading -------------------------------------------------------------------------


@pytest.mark.django_db
def test_before_the_first_edit_the_profile_shows_the_organisation_defaults(tenants):
    alice = tenants.alice

    body = alice.api().get(API).json()

    assert body["organisation"] == {
        "id": str(alice.organisation.id),
        "name": alice.organisation.name,
    }
    assert body["display_name"] == alice.organisation.name
    assert body["country"] == "DE"
    assert body["listed"] is False
    assert body["logo_url"] is None
    assert load_profile(alice.organisation) is None  # reading creates nothing

    page = alice.browser().get(PAGE)
    assert page.status_code == 200
    assert alice.organisation.name in page.content.decode()


@pytest.mark.django_db
def test_anonymous_callers_are_refused(client):
    assert client.get(API).status_code == 401
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Happy paths ---------------------------------------------------------------------


@pytest.mark.django_db
def test_api_patch_json_creates_the_profile(tenants):
    alice = tenants.alice

    response = alice.api().patch(API, VALID, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Alice Systems"
    assert body["description_words"] == 40
    assert body["country_name"] == "Germany"
    assert body["listed"] is True
    profile = load_profile(alice.organisation)
    assert profile.city == "Berlin"
    assert profile.website == "https://alice.example"


@pytest.mark.django_db
def test_a_new_profile_needs_a_description(tenants, media_root):
    alice = tenants.alice

    response = alice.api().patch(
        API, {"city": "Berlin", "logo": upload(image_bytes(400, 200))}, format="multipart"
    )

    assert response.status_code == 400
    assert "to create your profile" in response.json()["fields"]["description"][0]
    assert load_profile(alice.organisation) is None
    assert files_under(media_root) == set()


@pytest.mark.django_db
def test_api_patch_is_partial(tenants):
    alice = tenants.alice
    PartnerProfileFactory(organisation=alice.organisation, city="Hamburg")

    response = alice.api().patch(API, {"city": "  Munich "}, format="json")

    assert response.status_code == 200, response.content
    profile = load_profile(alice.organisation)
    assert profile.city == "Munich"
    assert profile.description == DESCRIPTION


@pytest.mark.django_db
def test_api_multipart_logo_is_reencoded_as_a_clean_png(tenants, media_root):
    # Given a 1600 x 900 JPEG with EXIF data and a comment
    alice = tenants.alice
    logo = upload(jpeg_with_metadata(1600, 900), name="brand.jpg", content_type="image/jpeg")

    # When alice's admin uploads it with the rest of the profile
    response = alice.api().patch(API, {**VALID, "logo": logo}, format="multipart")

    # Then it is stored as a PNG at most 800 px wide, without any of the metadata
    assert response.status_code == 200, response.content
    profile = load_profile(alice.organisation)
    assert profile.logo.name.startswith(f"logos/{alice.organisation.id}/")
    assert profile.logo.name.endswith(".png")
    assert (profile.logo_width, profile.logo_height) == (800, 450)
    image = stored_image(media_root, profile)
    assert image.format == "PNG"
    assert image.size == (800, 450)
    assert "exif" not in image.info
    assert "comment" not in image.info
    raw = (media_root / profile.logo.name).read_bytes()
    assert b"SpyCam" not in raw
    assert b"secret location" not in raw
    assert response.json()["logo_url"].startswith("http://testserver/partners/")


@pytest.mark.django_db
def test_a_transparent_logo_keeps_its_transparency_and_small_logos_keep_their_size(
    tenants, media_root
):
    alice = tenants.alice
    logo = upload(image_bytes(300, 120, mode="RGBA"))

    response = alice.api().patch(API, {**VALID, "logo": logo}, format="multipart")

    assert response.status_code == 200, response.content
    image = stored_image(media_root, load_profile(alice.organisation))
    assert image.mode == "RGBA"
    assert image.size == (300, 120)


@pytest.mark.django_db
def test_page_form_saves_the_profile_and_logo(tenants, media_root):
    alice = tenants.alice
    browser = alice.browser()

    page = browser.get(PAGE)
    assert b'enctype="multipart/form-data"' in page.content

    response = browser.post(PAGE, {**VALID, "logo": upload(image_bytes(640, 320))}, follow=True)

    assert response.status_code == 200
    assert b"Your profile is saved." in response.content
    profile = load_profile(alice.organisation)
    assert profile.display_name == "Alice Systems"
    assert (profile.logo_width, profile.logo_height) == (640, 320)
    assert files_under(media_root) == {profile.logo.name}
    # The preview shows the stored logo inline (the locator's URL would need a listing).
    assert b'src="data:image/png;base64,' in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("count", [30, 100])
def test_descriptions_of_30_and_100_words_are_accepted(tenants, count):
    response = tenants.alice.api().patch(API, {**VALID, "description": words(count)}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["description_words"] == count


@pytest.mark.django_db
def test_website_without_scheme_gets_https(tenants):
    response = tenants.alice.api().patch(
        API, {**VALID, "website": "www.alice.example"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert load_profile(tenants.alice.organisation).website == "https://www.alice.example"


@pytest.mark.django_db
def test_replacing_the_logo_deletes_the_old_file_after_commit(
    tenants, media_root, django_capture_on_commit_callbacks
):
    # Given alice's profile with a stored logo
    alice = tenants.alice
    old = give_logo(PartnerProfileFactory(organisation=alice.organisation)).logo.name
    assert files_under(media_root) == {old}

    # When a new logo is uploaded and the request commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = alice.api().patch(
            API, {"logo": upload(image_bytes(500, 250))}, format="multipart"
        )

    # Then only the new file remains
    assert response.status_code == 200, response.content
    assert len(callbacks) >= 1
    new = load_profile(alice.organisation).logo.name
    assert new != old
    assert files_under(media_root) == {new}


# --- Bad input: a clear field error, and nothing stored ------------------------------

BAD_FIELDS = [
    pytest.param({"country": "XX"}, "country", "'XX' is not a country code", id="bad-country"),
    pytest.param({"country": "Germany"}, "country", "not a country code", id="country-name"),
    pytest.param({"description": words(29)}, "description", "it has 29 words", id="29-words"),
    pytest.param({"description": words(101)}, "description", "it has 101 words", id="101-words"),
    pytest.param({"description": ""}, "description", "it has 0 words", id="no-description"),
    pytest.param({"display_name": "  "}, "display_name", "Enter the name", id="blank-name"),
    pytest.param({"display_name": "N" * 121}, "display_name", "121 characters", id="long-name"),
    pytest.param(
        {"website": "javascript:alert(1)"}, "website", "full address", id="javascript-url"
    ),
    pytest.param({"website": "not a url"}, "website", "full address", id="bad-url"),
]

BAD_LOGOS = [
    pytest.param(
        lambda: upload(image_bytes(150, 150)), "150 px wide; it must be at least 200", id="150px"
    ),
    pytest.param(
        lambda: upload(b"<html><script>alert(1)</script></html>", content_type="image/png"),
        "must be a PNG or JPEG",
        id="html-named-png",
    ),
    pytest.param(
        lambda: upload(image_bytes(400, 200, fmt="GIF"), name="logo.gif", content_type="image/gif"),
        "must be a PNG or JPEG",
        id="gif",
    ),
    pytest.param(
        lambda: upload(image_bytes(400, 200, fmt="GIF"), name="logo.png"),
        "must be a PNG or JPEG",
        id="gif-named-png",
    ),
    pytest.param(lambda: upload(noise_png(1000, 800)), "the limit is 2 MB", id="over-2mb"),
    pytest.param(lambda: upload(bomb_png(6000, 6000)), "too large", id="25-megapixels"),
    pytest.param(lambda: upload(bomb_png(30000, 30000)), "too large", id="pillow-bomb"),
    pytest.param(
        lambda: upload(image_bytes(400, 200)[:80]), "could not be read", id="truncated-png"
    ),
    pytest.param(
        lambda: upload(noise_jpeg(400, 200, cut=0.5), name="logo.jpg", content_type="image/jpeg"),
        "could not be read",
        id="truncated-jpeg",
    ),
]


@pytest.fixture(autouse=True)
def _pillow_as_weasyprint_leaves_it(monkeypatch):
    """WeasyPrint, once imported, makes Pillow accept truncated images process-wide: the
    logo checks must not depend on whether it was."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)


@pytest.fixture
def alice_with_profile(tenants, media_root):
    """Alice's existing profile, with a logo on disk: a bad request must leave both."""
    alice = tenants.alice
    give_logo(PartnerProfileFactory(organisation=alice.organisation))
    return alice


def _assert_nothing_stored(alice, media_root, before_profile, before_files):
    assert snapshot(alice.organisation) == before_profile
    assert files_under(media_root) == before_files


@pytest.mark.django_db
@pytest.mark.parametrize(("bad", "field", "message"), BAD_FIELDS)
def test_api_refuses_bad_fields(alice_with_profile, media_root, bad, field, message):
    alice = alice_with_profile
    before, files = snapshot(alice.organisation), files_under(media_root)

    response = alice.api().patch(API, {**VALID, "city": "Changed", **bad}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == [field]
    assert message in body["fields"][field][0]
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
@pytest.mark.parametrize(("bad", "field", "message"), BAD_FIELDS)
def test_page_refuses_bad_fields(alice_with_profile, media_root, bad, field, message):
    alice = alice_with_profile
    before, files = snapshot(alice.organisation), files_under(media_root)

    response = alice.browser().post(PAGE, {**VALID, "city": "Changed", **bad})

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert b"is-invalid" in response.content
    assert b"Nothing was saved." in response.content
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
@pytest.mark.parametrize(("make_logo", "message"), BAD_LOGOS)
def test_api_refuses_bad_logos(alice_with_profile, media_root, make_logo, message):
    alice = alice_with_profile
    before, files = snapshot(alice.organisation), files_under(media_root)

    response = alice.api().patch(
        API, {**VALID, "city": "Changed", "logo": make_logo()}, format="multipart"
    )

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == ["logo"]
    assert message in body["fields"]["logo"][0]
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
@pytest.mark.parametrize(("make_logo", "message"), BAD_LOGOS)
def test_page_refuses_bad_logos(alice_with_profile, media_root, make_logo, message):
    alice = alice_with_profile
    before, files = snapshot(alice.organisation), files_under(media_root)

    response = alice.browser().post(PAGE, {**VALID, "city": "Changed", "logo": make_logo()})

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["logo"]
    assert message in form.errors["logo"][0]
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("width", "height"), [(25_000_000, 1), (1, 25_000_000), (10_001, 300), (300, 10_001)]
)
@pytest.mark.parametrize("door", ["api", "page"])
def test_a_logo_too_wide_or_too_high_is_refused_from_its_header(
    alice_with_profile, media_root, width, height, door
):
    # Given a small, valid PNG whose every row is present: decoding 25,000,000 x 1 took
    # 5.4 s and 1.4 GB, and it was accepted, as it stays under the pixel count.
    alice = alice_with_profile
    content = black_png(width, height)
    assert len(content) < 100_000
    before, files = snapshot(alice.organisation), files_under(media_root)

    # When it is uploaded
    started = time.monotonic()
    if door == "api":
        response = alice.api().patch(API, {**VALID, "logo": upload(content)}, format="multipart")
        assert response.status_code == 400, response.content
        message = response.json()["fields"]["logo"][0]
    else:
        response = alice.browser().post(PAGE, {**VALID, "logo": upload(content)})
        assert response.status_code == 200
        message = response.context["form"].errors["logo"][0]
    elapsed = time.monotonic() - started

    # Then it is refused before decoding, quickly, with the dimensions in the message
    assert f"({width} x {height} px)" in message
    assert "10,000 px wide and high" in message
    assert elapsed < 1.0, elapsed
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
def test_a_logo_at_the_side_limit_is_accepted(tenants, media_root):
    logo = upload(black_png(LOGO_MAX_SIDE, 200))
    response = tenants.alice.api().patch(API, {**VALID, "logo": logo}, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["logo_width"], response.json()["logo_height"]) == (800, 16)


@pytest.mark.django_db
def test_the_size_limit_is_checked_before_decoding(tenants):
    # A valid PNG, just over the limit.
    content = noise_png(1000, 800)
    assert len(content) > LOGO_MAX_BYTES

    response = tenants.alice.api().patch(API, {"logo": upload(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["fields"]["logo"][0].startswith("The logo file is ")


@pytest.mark.django_db
def test_api_refuses_unknown_fields_and_non_file_logos(alice_with_profile, media_root):
    alice = alice_with_profile
    before, files = snapshot(alice.organisation), files_under(media_root)
    api = alice.api()

    unknown = api.patch(API, {"city": "Changed", "status": "active"}, format="json")
    not_a_file = api.patch(API, {"logo": "https://evil.example/logo.png"}, format="json")

    assert unknown.status_code == 400
    assert list(unknown.json()["fields"]) == ["status"]
    assert not_a_file.status_code == 400
    assert list(not_a_file.json()["fields"]) == ["logo"]
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
def test_a_failure_after_the_file_is_written_removes_it(
    alice_with_profile, media_root, monkeypatch
):
    # Given the database refuses the row once the new logo file is written
    alice = alice_with_profile
    before, files = snapshot(alice.organisation), files_under(media_root)

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(PartnerProfile, "save", refuse)

    # When the service runs, then it fails and leaves neither row change nor file
    with pytest.raises(IntegrityError), observer():
        profile_update(
            organisation=alice.organisation,
            actor=alice.admin,
            data={"city": "Changed"},
            logo=upload(image_bytes(400, 200)),
        )
    monkeypatch.undo()
    _assert_nothing_stored(alice, media_root, before, files)


# --- Roles ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sales", "technical", "finance"])
def test_other_roles_may_read_but_not_update(alice_with_profile, media_root, role):
    # Given a member of alice's organisation who is not an admin
    alice = alice_with_profile
    member = MembershipFactory(organisation=alice.organisation, role=role).user
    before, files = snapshot(alice.organisation), files_under(media_root)
    other = Tenant(organisation=alice.organisation, admin=member, membership=None)
    api, browser = other.api(), other.browser()

    # They see the profile ...
    assert api.get(API).status_code == 200
    page = browser.get(PAGE)
    assert page.status_code == 200
    assert "Only your organisation's administrators can change" in page.content.decode()
    assert b'<form method="post" enctype' not in page.content

    # ... but cannot change it, through the API or the page
    patch = api.patch(API, {"city": "Changed"}, format="json")
    assert patch.status_code == 403
    multipart = api.patch(API, {"logo": upload(image_bytes(400, 200))}, format="multipart")
    assert multipart.status_code == 403
    post = browser.post(PAGE, {**VALID, "logo": upload(image_bytes(400, 200))})
    assert post.status_code == 403
    _assert_nothing_stored(alice, media_root, before, files)


@pytest.mark.django_db
def test_the_service_itself_refuses_non_admins_and_other_organisations(tenants):
    sales = MembershipFactory(
        organisation=tenants.alice.organisation, role=Membership.Role.SALES
    ).user

    with observer():
        with pytest.raises(Forbidden):
            profile_update(organisation=tenants.alice.organisation, actor=sales, data={})
        with pytest.raises(Forbidden):
            profile_update(
                organisation=tenants.alice.organisation, actor=tenants.bob.admin, data={}
            )
        with pytest.raises(DomainError):
            profile_update(
                organisation=tenants.alice.organisation,
                actor=tenants.alice.admin,
                data={"country": "ZZ"},
            )
    assert load_profile(tenants.alice.organisation) is None
