import io

import pytest

from partners.demo_marketing import seed_marketing
from partners.models import MarketingAsset
from partners.services.programme import programme_load
from portal.tenancy.context import system_context
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_demo_assets_are_checked_files_and_seeding_twice_adds_nothing():
    UserFactory(is_staff=True, is_superuser=True)
    with system_context("command:seed_demo"):
        programme_load(code="vates", make_default=True)
        seed_marketing(io.StringIO())
        seed_marketing(out := io.StringIO())
    assert "0 assets added" in out.getvalue()
    assets = {a.title: a for a in MarketingAsset.objects.all()}
    assert len(assets) == 4
    assert assets["Gold Partner badge"].min_tier_level == 3
    assert assets["Gold Partner badge"].content_type == "image/png"
    assert {a.content_type for a in assets.values()} == {"image/png", "application/pdf"}
