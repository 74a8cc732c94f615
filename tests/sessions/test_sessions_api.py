"""The sessions' API: upcoming sessions a partner may join with the seats left, registering
(yourself, or a member as an administrator), the organisation's registrations, cancelling."""

from __future__ import annotations

from partners.models import Membership
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer


def test_a_partner_lists_what_it_may_join_and_registers(partner, session_factory, vates):
    reseller = partner("reseller", tier=1)
    resellers = vates.types.get(code="reseller")
    open_to_all = session_factory(title="XCP-ng roadmap", capacity=2)
    session_factory(title="Distributors only", partner_types=[vates.types.get(code="distributor")])
    session_factory(title="Resellers tier 3", partner_types=[resellers], min_tier_level=3)
    api = reseller.api()

    listed = api.get("/api/v1/sessions").json()
    assert [row["title"] for row in listed["results"]] == ["XCP-ng roadmap"]
    assert listed["results"][0]["seats_left"] == 2

    url = f"/api/v1/sessions/{open_to_all.pk}/registrations"
    created = api.post(url, {}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["person_email"] == reseller.admin.email
    assert api.get("/api/v1/sessions").json()["results"][0]["seats_left"] == 1
    again = api.post(url, {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_registered"

    colleague = member_of(reseller, role=Membership.Role.SALES)
    for_colleague = api.post(url, {"member": str(colleague.pk)}, format="json")
    assert for_colleague.status_code == 201
    full = api.post(url, {"member": str(member_of(reseller).pk)}, format="json")
    assert full.status_code == 409
    assert full.json()["code"] == "session_full"

    mine = api.get(url).json()
    assert {row["person_email"] for row in mine} == {reseller.admin.email, colleague.user.email}
    everything = api.get("/api/v1/session-registrations").json()
    assert everything["count"] == 2


def test_a_session_not_offered_to_the_partner_is_404(partner, session_factory, vates):
    reseller = partner("reseller", tier=1)
    hidden = session_factory(partner_types=[vates.types.get(code="distributor")])
    api = reseller.api()
    assert api.get(f"/api/v1/sessions/{hidden.pk}/registrations").status_code == 404
    assert (
        api.post(f"/api/v1/sessions/{hidden.pk}/registrations", {}, format="json").status_code
        == 404
    )


def test_bad_input_and_cancelling(partner, session_factory):
    reseller = partner("reseller", tier=1)
    session = session_factory()
    api = reseller.api()
    url = f"/api/v1/sessions/{session.pk}/registrations"
    bad = api.post(url, {"member": "not-a-uuid"}, format="json")
    assert bad.status_code == 400
    assert "member" in bad.json()["fields"]
    registration = api.post(url, {}, format="json").json()
    cancelled = api.post(f"/api/v1/session-registrations/{registration['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    with observer():
        session.refresh_from_db()
    assert session.seats_taken == 0
