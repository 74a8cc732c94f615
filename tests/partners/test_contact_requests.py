"""Issue 7: a visitor contacts a listed partner through the locator (rate-limited, with a
honeypot); the partner's administrators are emailed; the partner reads the requests in its
space, and no other tenant ever sees them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from partners.models import ContactRequest, Membership, Organisation, PartnerProfile
from portal.models import AuditEvent, OutboxTask
from portal.tenancy.context import tenant_context
from tests.celery_support import wait_for
from tests.factories import MembershipFactory, UserFactory
from tests.partners.factories_contact import ContactRequestFactory
from tests.partners.factories_directory import words
from tests.tenancy_support import observer

MESSAGE = {
    "name": "Dana Customer",
    "email": "dana@customer.example",
    "company": "Customer AG",
    "message": "We run 40 hosts and want a quote for support.",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _list(tenant, description: str | None = None) -> PartnerProfile:
    """Give the tenant a listed profile (30+ words)."""
    with observer():
        PartnerProfile.objects.filter(organisation=tenant.organisation).delete()
        return PartnerProfile.objects.create(
            organisation=tenant.organisation,
            display_name=f"{tenant.organisation.name} Storefront",
            description=words(40) if description is None else description,
            country=tenant.organisation.country,
        )


def _url(tenant) -> str:
    return f"/partners/{tenant.organisation.pk}/"


def _post(tenant, client=None, **changes):
    return (client or Client()).post(_url(tenant), {**MESSAGE, **changes})


def _requests(**filters) -> list[ContactRequest]:
    with observer():
        return list(ContactRequest.objects.filter(**filters))


# --- The public form --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_offers_the_form(tenants):
    _list(tenants.alice)
    page = Client().get(_url(tenants.alice)).content.decode()
    assert 'id="contact"' in page
    assert 'name="message"' in page
    assert 'name="fax"' in page  # the honeypot, hidden from people


@pytest.mark.django_db
def test_a_visitor_writes_and_only_the_partners_admins_are_emailed(
    tenants, django_capture_on_commit_callbacks
):
    # Given alice with two admins, a sales member and a deactivated admin; bob's admin
    alice, bob = tenants.alice, tenants.bob
    _list(alice)
    _list(bob)
    second_admin = MembershipFactory(
        organisation=alice.organisation,
        role=Membership.Role.ADMIN,
        user__email="second.admin@alice.example",
    )
    MembershipFactory(
        organisation=alice.organisation,
        role=Membership.Role.SALES,
        user__email="sales@alice.example",
    )
    MembershipFactory(
        organisation=alice.organisation,
        role=Membership.Role.ADMIN,
        user=UserFactory(email="gone@alice.example", is_active=False),
    )

    # When a visitor writes to alice
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(alice)

    # Then the request is alice's, and each of alice's active admins got one email
    assert response.status_code == 302
    assert response["Location"] == f"{_url(alice)}#contact"
    [stored] = _requests()
    assert stored.organisation_id == alice.organisation.pk
    assert (stored.name, stored.email, stored.company) == (
        "Dana Customer",
        "dana@customer.example",
        "Customer AG",
    )
    assert stored.notified_at is not None
    assert stored.read_at is None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [alice.admin.email, second_admin.user.email]
    )
    assert all(len(m.to) == 1 for m in mail.outbox)
    email = mail.outbox[0]
    assert "Dana Customer" in email.subject
    assert "We run 40 hosts" in email.body
    assert "dana@customer.example" in email.body
    assert "/space/requests/" in email.body
    assert "T" not in email.body.split("wrote to", 1)[1].split(":", 1)[0][:30]  # no ISO time

    # And the trail names the visitor's flow, in alice's activity
    with observer():
        event = AuditEvent.objects.get(action="contact_request.received")
    assert event.organisation_id == alice.organisation.pk
    assert event.actor is None
    assert event.actor_label == "public:contact-request"
    assert event.ip == "127.0.0.1"
    assert "Dana Customer (Customer AG)" in event.summary

    # And the visitor sees a confirmation
    page = Client().get(_url(alice))
    assert page.status_code == 200


@pytest.mark.celery_worker
def test_the_task_gets_ids_only_and_a_worker_sends_it(celery_worker, tenants_committed):
    # A real broker and worker: the outbox row carries ids, never what the visitor wrote.
    alice = tenants_committed.alice
    _list(alice)
    assert _post(alice).status_code == 302

    [stored] = _requests()
    with observer():
        [task] = OutboxTask.objects.filter(task_name="partners.send_contact_request")
    assert task.args == []
    assert task.kwargs == {
        "contact_request_id": str(stored.pk),
        "organisation_id": str(alice.organisation.pk),
    }
    wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [alice.admin.email]


@pytest.mark.django_db
def test_the_email_is_sent_once_however_often_the_task_runs(tenants):
    from partners.services.contact import contact_request_notify

    alice = tenants.alice
    stored = ContactRequestFactory(organisation=alice.organisation)
    with tenant_context(alice.organisation.pk):
        assert contact_request_notify(contact_request_id=stored.pk) == 1
        assert contact_request_notify(contact_request_id=stored.pk) == 0  # delivered twice
    with tenant_context(tenants.bob.organisation.pk):  # another tenant's task sees nothing
        assert contact_request_notify(contact_request_id=stored.pk) == 0
    assert [m.to for m in mail.outbox] == [[alice.admin.email]]


@pytest.mark.django_db
def test_the_honeypot_pretends_and_stores_nothing(tenants, django_capture_on_commit_callbacks):
    _list(tenants.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(tenants.alice, fax="+1 555 0100")
    assert response.status_code == 302
    assert _requests() == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_form_is_rate_limited_per_ip_across_partners(tenants):
    alice, bob = tenants.alice, tenants.bob
    _list(alice)
    _list(bob)
    for n in range(5):
        target = alice if n % 2 else bob
        assert _post(target, email=f"v{n}@customer.example").status_code == 302
    refused = _post(alice)
    assert refused.status_code == 429
    assert "Too many messages" in refused.content.decode()
    assert len(_requests()) == 5
    # Another client address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert _post(bob, client=other).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 4001}, "message"),
        ({"company": "c" * 201}, "company"),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(tenants, changes, field):
    _list(tenants.alice)
    response = _post(tenants.alice, **changes)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert _requests() == []


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["empty profile", "pending", "suspended"])
def test_an_unlisted_partner_cannot_be_written_to(tenants, why):
    alice = tenants.alice
    _list(alice, description="" if why == "empty profile" else None)
    if why != "empty profile":
        with observer():
            Organisation.objects.filter(pk=alice.organisation.pk).update(status=why)
    assert _post(alice).status_code == 404
    assert _requests() == []


@pytest.mark.django_db
def test_the_service_refuses_an_unlisted_partner(tenants):
    from partners.services.contact import contact_request_submit
    from portal.errors import NotFound

    _list(tenants.alice, description=words(5))
    with pytest.raises(NotFound):
        contact_request_submit(organisation_id=tenants.alice.organisation.pk, data=MESSAGE)


@pytest.mark.django_db(transaction=True)
def test_a_visitor_writes_under_row_level_security(tenants_committed):
    # Production-like transactions: the insert runs as the partner under its policy.
    alice = tenants_committed.alice
    _list(alice)
    assert _post(alice).status_code == 302
    [stored] = _requests()
    assert stored.organisation_id == alice.organisation.pk
    with tenant_context(tenants_committed.bob.organisation.pk):
        assert not ContactRequest.objects.exists()
    with tenant_context(alice.organisation.pk):
        assert ContactRequest.objects.count() == 1


# --- The partner's space ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_space_lists_the_organisations_requests_only(tenants):
    alice, bob = tenants.alice, tenants.bob
    ContactRequestFactory(organisation=alice.organisation, name="For Alice")
    ContactRequestFactory(organisation=bob.organisation, name="For Bob")

    page = alice.browser().get("/space/requests/").content.decode()
    assert "For Alice" in page
    assert "For Bob" not in page
    assert "Mark all as read (1)" in page
    body = alice.api().get("/api/v1/contact-requests").json()
    assert [r["name"] for r in body["results"]] == ["For Alice"]
    assert set(body["results"][0]) == {
        "id",
        "name",
        "email",
        "company",
        "message",
        "created_at",
        "read_at",
    }


@pytest.mark.django_db
def test_marking_read_marks_the_callers_requests_and_is_audited(tenants):
    alice, bob = tenants.alice, tenants.bob
    ContactRequestFactory.create_batch(2, organisation=alice.organisation)
    ContactRequestFactory(organisation=bob.organisation)

    response = alice.browser().post("/space/requests/")

    assert response.status_code == 302
    assert all(r.read_at for r in _requests(organisation=alice.organisation))
    assert not any(r.read_at for r in _requests(organisation=bob.organisation))
    with observer():
        event = AuditEvent.objects.get(action="contact_request.read")
    assert event.organisation_id == alice.organisation.pk
    assert event.actor == alice.admin
    assert event.summary == "2 contact requests marked read"
    page = alice.browser().get("/space/requests/").content.decode()
    assert "Mark all as read" not in page


@pytest.mark.django_db
def test_sales_read_requests_and_other_roles_do_not(tenants):
    alice = tenants.alice
    ContactRequestFactory(organisation=alice.organisation, name="A Lead")
    for role, allowed in [(Membership.Role.SALES, True), (Membership.Role.TECHNICAL, False)]:
        member = MembershipFactory(organisation=alice.organisation, role=role)
        browser = Client()
        browser.force_login(member.user)
        response = browser.get("/space/requests/")
        assert (response.status_code == 200) is allowed, role
        nav = browser.get("/space/profile/").content.decode()
        assert ("Contact requests" in nav) is allowed, role
