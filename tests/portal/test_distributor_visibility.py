"""Two-tier distribution (SPEC §1): a row placed through a distributor belongs to the
reseller and is also visible, read-only, to that distributor; nothing else of the
reseller's is. Orders, quotes and licences will inherit DistributorVisibleModel; here a
table of the same shape proves the mechanism (queryset and database policy) now."""

import pytest
from django.db import DatabaseError, connection, models, transaction
from rest_framework import mixins, serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from partners.models import Membership
from portal.api.viewsets import TenantViewSet
from portal.tenancy.caller import Caller
from portal.tenancy.context import tenant_context
from portal.tenancy.models import DistributorVisibleModel
from portal.tenancy.operations import policy_sql
from tests.tenancy_support import owner_session_for_tests


class SuppliedThing(DistributorVisibleModel):
    label = models.CharField(max_length=20)

    class Meta:
        app_label = "portal"
        db_table = "test_supplied_thing"
        managed = False


@pytest.fixture
def supplied_table(db, settings):
    # Created inside the test's transaction: PostgreSQL's DDL rolls back with it. Creating
    # a table is the schema owner's right, not the application role's.
    with owner_session_for_tests(), connection.schema_editor() as editor:
        editor.create_model(SuppliedThing)
        for statement in policy_sql(SuppliedThing._meta.db_table, visible_to_distributor=True):
            editor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute(
            "GRANT ALL ON test_supplied_thing TO "
            + connection.ops.quote_name(settings.TENANCY_DB_ROLE)
        )


@pytest.fixture
def network(tenants, supplied_table):
    """alice is a distributor supplying bob; charlie is unrelated."""
    alice, bob, charlie = (
        tenants.alice.organisation,
        tenants.bob.organisation,
        tenants.charlie.organisation,
    )
    through_alice = SuppliedThing.objects.create(organisation=bob, distributor=alice, label="via")
    bob_direct = SuppliedThing.objects.create(organisation=bob, label="direct")
    charlie_own = SuppliedThing.objects.create(organisation=charlie, label="charlie")
    return alice, bob, charlie, through_alice, bob_direct, charlie_own


def test_the_queryset_shows_a_distributor_what_it_supplied(network):
    alice, bob, charlie, through_alice, bob_direct, charlie_own = network
    assert set(SuppliedThing.objects.for_tenant(alice)) == {through_alice}
    assert set(SuppliedThing.objects.for_tenant(bob)) == {through_alice, bob_direct}
    assert set(SuppliedThing.objects.for_tenant(charlie)) == {charlie_own}


def test_the_database_policy_agrees_and_keeps_the_distributor_read_only(network):
    alice, bob, charlie, through_alice, _bob_direct, _ = network

    with tenant_context(alice.id):
        # An unfiltered query: the database alone decides.
        assert {t.label for t in SuppliedThing.objects.all()} == {"via"}
        # The distributor may read, not change, the reseller's row: updates and deletes
        # match nothing, and it cannot insert one in the reseller's name.
        assert SuppliedThing.objects.filter(pk=through_alice.pk).update(label="changed") == 0
        assert SuppliedThing.objects.filter(pk=through_alice.pk).delete()[0] == 0
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM test_supplied_thing")
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            SuppliedThing.objects.create(organisation=bob, distributor=alice, label="forged")
        # Nor can it see anything else of the reseller's: its members, say.
        assert not Membership.objects.filter(organisation=bob).exists()

    with tenant_context(bob.id):
        assert {t.label for t in SuppliedThing.objects.all()} == {"via", "direct"}
        assert SuppliedThing.objects.filter(pk=through_alice.pk).update(label="renamed") == 1

    with tenant_context(charlie.id):
        assert {t.label for t in SuppliedThing.objects.all()} == {"charlie"}

    # The reseller's row survived the distributor's attempts, with the reseller's change.
    through_alice.refresh_from_db()
    assert through_alice.label == "renamed"


class SuppliedThingSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuppliedThing
        fields = ["id", "label"]


class SuppliedThingViewSet(
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    tenant_queryset = SuppliedThing.objects.all()
    serializer_class = SuppliedThingSerializer


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_the_api_answers_a_distributors_write_with_404_and_changes_nothing(network, method):
    alice, bob, _charlie, through_alice, _bob_direct, _ = network
    view = SuppliedThingViewSet.as_view(
        {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
    )
    factory = APIRequestFactory()

    def call(organisation, verb):
        request = getattr(factory, verb)(
            f"/things/{through_alice.pk}", {"label": "changed"}, format="json"
        )
        membership = Membership.objects.filter(organisation=organisation).first()
        force_authenticate(request, user=membership.user)
        request.caller = Caller(user=membership.user, via="token", membership=membership)
        with tenant_context(organisation.id):
            return view(request, id=str(through_alice.pk))

    # The distributor reads the row it supplied, and cannot change or delete it
    assert call(alice, "get").status_code == 200
    assert call(alice, method).status_code == 404
    through_alice.refresh_from_db()
    assert through_alice.label == "via"
    # while the reseller that owns it can
    assert call(bob, method).status_code in {200, 204}
