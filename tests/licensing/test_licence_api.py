"""GET /api/v1/licences and /api/v1/licences/{id} (SPEC §3.7): a partner's licences with
filters, search, ordering and pages; one licence with its entitlements and history. A
distributor reads what it supplied (and sees which reseller owns it), nothing else of the
reseller; nobody ever sees the key's digest."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing.models import Licence, LicenceEvent
from licensing.services.licences import licence_audited_values, licence_event_record
from partners import roles
from tests.licensing.factories import PlanFactory, ProductFactory, issue_licence
from tests.partners.factories_team import member_of
from tests.routes.harness import plant_private_data, supply, token_client
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def bind(licence: Licence, *, email: str, name: str = "", installation: str = "") -> Licence:
    """What binding leaves behind (the binding service is tested with it): the customer's
    email and a "bound" event in the history."""
    with observer():
        before = licence_audited_values(licence)
        licence.status = Licence.Status.BOUND
        licence.customer_email = email
        licence.customer_name = name
        licence.installation_name = installation
        licence.bound_at = timezone.now()
        licence.save()
        licence_event_record(
            licence=licence,
            kind=LicenceEvent.Kind.BOUND,
            actor=None,
            summary=f"Bound to {email}",
            before=before,
        )
    return licence


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def catalogue(tenants):
    programme = tenants.alice.organisation.partner_type.programme
    pro = ProductFactory(programme=programme)
    PlanFactory(product=pro)
    essential = ProductFactory(
        programme=programme,
        code="essential",
        name="Essential",
        unit="flat",
        min_quantity=1,
        max_quantity=3,
        support_tickets_per_year=6,
    )
    PlanFactory(product=essential, price="2000.00")
    return {"pro": pro, "essential": essential}


def test_the_list_holds_the_partners_own_licences_newest_first(tenants, catalogue):
    older = issue_licence(tenants.bob.organisation, product=catalogue["pro"], quantity=5)
    newer = issue_licence(tenants.bob.organisation, product=catalogue["essential"], quantity=2)
    issue_licence(tenants.charlie.organisation)

    response = tenants.bob.api().get("/api/v1/licences")

    assert ids(response) == [str(newer.pk), str(older.pk)]
    row = response.json()["results"][1]
    assert row["product"] == {"code": "pro", "name": "Vates VMS Pro", "quantity_noun": "hosts"}
    assert row["quantity"] == 5
    assert row["status"] == "unbound"
    assert row["kind"] == "customer"
    assert row["billing_period"] == "yearly"
    assert row["owner"] == {"id": str(tenants.bob.organisation.pk), "name": "Bob Resellers"}
    assert row["distributor"] is None
    assert row["supplied"] is False
    assert row["customer"] == {"name": "", "email": "", "country": "", "installation": ""}
    assert "entitlements" not in row
    assert "events" not in row


@pytest.mark.parametrize("role", sorted(roles.ALL))
def test_every_role_reads_the_licences(tenants, role):
    licence = issue_licence(tenants.bob.organisation)
    client = token_client(member_of(tenants.bob, role=role).user)

    assert ids(client.get("/api/v1/licences")) == [str(licence.pk)]
    assert client.get(f"/api/v1/licences/{licence.pk}").status_code == 200


def test_filters_search_and_ordering(tenants, catalogue):
    # Given licences of two products, kinds and statuses, some bound to customers
    bob = tenants.bob.organisation
    pro = issue_licence(bob, product=catalogue["pro"], quantity=3)
    essential = issue_licence(bob, product=catalogue["essential"], quantity=1)
    trial = issue_licence(bob, product=catalogue["pro"], kind="trial", customer_name="Prospect AG")
    acme = bind(
        issue_licence(bob, product=catalogue["essential"], quantity=2),
        email="it@acme.example",
        name="Acme Corp",
        installation="Lyon pool",
    )
    globex = bind(
        issue_licence(bob, product=catalogue["pro"], quantity=4),
        email="ops@globex.example",
        name="Globex",
    )
    with observer():
        Licence.objects.filter(pk=essential.pk).update(
            ends_on=essential.starts_on + datetime.timedelta(days=10)
        )
    api = tenants.bob.api()

    def listed(query: str) -> set[str]:
        return set(ids(api.get(f"/api/v1/licences?{query}")))

    # Then each filter narrows the list
    assert listed("status=unbound") == {str(pro.pk), str(essential.pk), str(trial.pk)}
    assert listed("status=bound") == {str(acme.pk), str(globex.pk)}
    assert listed("kind=trial") == {str(trial.pk)}
    assert listed("product=essential") == {str(essential.pk), str(acme.pk)}
    assert listed("product=nothing") == set()
    assert listed("customer=acme") == {str(acme.pk)}  # name or email, any case
    assert listed("customer=globex.example") == {str(globex.pk)}
    assert listed("status=bound&product=pro") == {str(globex.pk)}
    # Search: product name, customer name or email, installation
    assert listed("search=lyon") == {str(acme.pk)}
    assert listed("search=prospect") == {str(trial.pk)}
    assert listed("search=ESSENTIAL") == {str(essential.pk), str(acme.pk)}
    assert listed("search=%20%20") == listed("")
    # Ordering
    assert ids(api.get("/api/v1/licences?ordering=ends_on"))[0] == str(essential.pk)
    assert ids(api.get("/api/v1/licences?ordering=-created"))[0] == str(globex.pk)
    assert ids(api.get("/api/v1/licences?ordering=created"))[0] == str(pro.pk)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("kind=free", "kind"),
        ("ordering=key_digest", "ordering"),
        ("search=" + "x" * 101, "search"),
        ("scope=everything", "scope"),
    ],
)
def test_bad_filters_are_a_400_on_the_field(tenants, query, field):
    response = tenants.bob.api().get(f"/api/v1/licences?{query}")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_pages(tenants):
    for _ in range(5):
        issue_licence(tenants.bob.organisation)
    api = tenants.bob.api()

    first = api.get("/api/v1/licences?page_size=2").json()
    last = api.get("/api/v1/licences?page_size=2&page=3").json()

    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert "page=2" in first["next"]
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert api.get("/api/v1/licences?page=9").status_code == 404


def test_the_detail_has_the_entitlements_and_the_history(tenants, catalogue):
    licence = bind(
        issue_licence(tenants.bob.organisation, product=catalogue["essential"], quantity=2),
        email="it@acme.example",
        name="Acme Corp",
    )

    response = tenants.bob.api().get(f"/api/v1/licences/{licence.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "bound"
    assert body["customer"]["email"] == "it@acme.example"
    assert body["entitlements"]["support_tickets_per_year"] == 6
    assert body["entitlements"]["support_hours"] == "business_day"
    assert body["entitlement_lines"][:3] == [
        "6 support tickets a year",
        "Business-day support",
        "24 h response time for critical issues",
    ]
    assert [(e["kind"], e["label"]) for e in body["events"]] == [
        ("created", "Created"),
        ("bound", "Bound to a customer"),
    ]
    assert body["events"][0]["summary"].startswith(
        "Customer licence issued: Vates VMS Essential x 2"
    )
    assert body["events"][1]["summary"] == "Bound to it@acme.example"
    assert set(body["events"][0]) == {"kind", "label", "at", "summary"}  # never who acted


def test_the_key_digest_never_shows_only_its_hint(tenants):
    licence = issue_licence(tenants.bob.organisation)
    digest = "d" * 64
    with observer():
        Licence.objects.filter(pk=licence.pk).update(key_digest=digest, key_hint="K7Q2")
    api = tenants.bob.api()

    listed = api.get("/api/v1/licences").content.decode()
    detail = api.get(f"/api/v1/licences/{licence.pk}").content.decode()
    page = tenants.bob.browser().get(f"/space/licences/{licence.pk}/").content.decode()

    for body in (listed, detail, page):
        assert digest not in body
        assert "key_digest" not in body
        assert "K7Q2" in body


def test_the_detail_costs_the_same_however_long_the_history(tenants):
    licence = issue_licence(tenants.bob.organisation)
    api = tenants.bob.api()
    url = f"/api/v1/licences/{licence.pk}"
    api.get(url)  # warm caches
    with CaptureQueriesContext(connection) as short:
        api.get(url)
    for n in range(10):
        bind(licence, email=f"customer{n}@example.com")
    with CaptureQueriesContext(connection) as long:
        response = api.get(url)

    assert len(response.json()["events"]) == 11
    assert len(long) == len(short)


def test_another_partners_licence_is_not_found(tenants):
    licence = issue_licence(tenants.bob.organisation)

    for tenant in (tenants.alice, tenants.charlie):
        api = tenant.api()
        assert api.get(f"/api/v1/licences/{licence.pk}").status_code == 404
        assert ids(api.get("/api/v1/licences")) == []
    assert tenants.bob.api().get("/api/v1/licences/not-a-uuid").status_code == 404


# --- Two-tier distribution --------------------------------------------------------------


def test_a_distributor_reads_what_it_supplied_and_nothing_else_of_the_reseller(tenants):
    # Given bob, a reseller supplied by alice: one licence through alice, one direct
    supply(tenants.bob, tenants.alice)
    private = plant_private_data(tenants.bob)
    supplied = bind(
        issue_licence(tenants.bob.organisation, distributor=tenants.alice.organisation),
        email="it@acme.example",
        name="Acme Corp",
    )
    direct = issue_licence(tenants.bob.organisation)
    own = issue_licence(tenants.alice.organisation)
    api = tenants.alice.api()

    # When alice lists and opens licences
    listed = api.get("/api/v1/licences")
    detail = api.get(f"/api/v1/licences/{supplied.pk}")

    # Then she reads her own and the supplied one, marked so, with its owner named
    assert set(ids(listed)) == {str(supplied.pk), str(own.pk)}
    rows = {row["id"]: row for row in listed.json()["results"]}
    assert rows[str(supplied.pk)]["supplied"] is True
    assert rows[str(supplied.pk)]["owner"]["name"] == "Bob Resellers"
    assert rows[str(supplied.pk)]["distributor"]["name"] == "Alice Distribution"
    assert rows[str(own.pk)]["supplied"] is False
    assert detail.status_code == 200
    assert detail.json()["customer"]["name"] == "Acme Corp"
    assert [e["kind"] for e in detail.json()["events"]] == ["created", "bound"]
    # And nothing else of bob's: not the direct licence, not his people or records
    assert api.get(f"/api/v1/licences/{direct.pk}").status_code == 404
    for body in (listed.content.decode(), detail.content.decode()):
        for values in private.values():
            for value in values:
                if value != "Bob Resellers":  # the owner's name is what she may know
                    assert value not in body
    # The scope filter separates the two
    assert ids(api.get("/api/v1/licences?scope=supplied")) == [str(supplied.pk)]
    assert ids(api.get("/api/v1/licences?scope=own")) == [str(own.pk)]
    # Bob sees his two, the supplied one naming alice as its distributor
    bob_rows = {
        row["id"]: row for row in tenants.bob.api().get("/api/v1/licences").json()["results"]
    }
    assert set(bob_rows) == {str(supplied.pk), str(direct.pk)}
    assert bob_rows[str(supplied.pk)]["supplied"] is False
    assert bob_rows[str(supplied.pk)]["distributor"]["name"] == "Alice Distribution"


def test_a_distributor_cannot_write_to_a_supplied_licence(tenants):
    supplied = issue_licence(tenants.bob.organisation, distributor=tenants.alice.organisation)
    api = tenants.alice.api()
    with observer():
        before = list(Licence.objects.values_list())

    for method in ("post", "put", "patch", "delete"):
        response = getattr(api, method)(f"/api/v1/licences/{supplied.pk}", {}, format="json")
        assert response.status_code in (404, 405), method

    with observer():
        assert list(Licence.objects.values_list()) == before
