"""The reseller space's lists are paginated; two lists on one page page independently."""

from __future__ import annotations

from partners.models import Membership
from tests.factories import MembershipFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.partners.factories_training import (
    SalesTrainingFactory,
    TechnicalCertificationFactory,
)


def test_the_team_page_pages_members_and_invitations(tenants):
    # Given 31 members (a second admin among them, sorted last) and 27 open invitations
    alice = tenants.alice
    for _ in range(29):
        member_of(alice)
    MembershipFactory(
        organisation=alice.organisation,
        user__email="zz-admin@alice.example",
        role=Membership.Role.ADMIN,
    )
    for _ in range(27):
        InvitationFactory(organisation=alice.organisation)
    browser = alice.browser()

    # When alice's admin opens the team page
    first = browser.get("/space/team/?invitations_page=2")

    # Then 25 members show, the count says 31, and alice's admin is not "the only
    # administrator" although the other admin is on the next page
    assert first.status_code == 200
    assert len(first.context["rows"]) == 25
    assert first.context["members_page"].paginator.count == 31
    assert not any(row["only_admin"] for row in first.context["rows"])
    html = first.content.decode()
    assert "The only administrator." not in html
    # The invitations are on their own second page, and each list's links keep the
    # other's place
    assert len(first.context["invitations"]) == 2
    assert "?invitations_page=2&amp;members_page=2" in html
    assert "?invitations_page=1" in html

    second = browser.get("/space/team/?members_page=2")
    assert [row["member"].user.email for row in second.context["rows"]][-1] == (
        "zz-admin@alice.example"
    )
    assert len(second.context["rows"]) == 6
    assert len(second.context["invitations"]) == 25


def test_the_training_page_pages_each_list(tenants):
    alice = tenants.alice
    for _ in range(30):
        SalesTrainingFactory(membership=member_of(alice))
    for _ in range(3):
        TechnicalCertificationFactory(membership=member_of(alice))
    browser = alice.browser()

    first = browser.get("/space/training/")
    second = browser.get("/space/training/?sales_page=2")

    assert len(first.context["sales_trainings"]) == 25
    assert len(second.context["sales_trainings"]) == 5
    assert len(second.context["certifications"]) == 3
    assert "?sales_page=2" in first.content.decode()
    # A page number that is not one shows the first page, not an error
    assert browser.get("/space/training/?sales_page=x").status_code == 200
