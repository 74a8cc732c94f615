"""Give the channel team's groups the engagement app's permissions (pes/staff_roles.py):
every role reads the catalogue, claims, ledger, redemptions, evaluations and tier changes;
the reviewer and the programme manager decide claims; the programme manager keeps the
catalogue, decides redemptions, adjusts points, runs the evaluation and changes tiers.

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "pes": {
        "Channel reviewer": [
            "pes.review_claims",
            "pes.view_activity",
            "pes.view_benefit",
            "pes.view_claim",
            "pes.view_claimfile",
            "pes.view_pointsentry",
            "pes.view_redemption",
            "pes.view_tierchange",
            "pes.view_tierevaluation",
        ],
        "Channel finance": [
            "pes.view_activity",
            "pes.view_benefit",
            "pes.view_claim",
            "pes.view_claimfile",
            "pes.view_pointsentry",
            "pes.view_redemption",
            "pes.view_tierchange",
            "pes.view_tierevaluation",
        ],
        "Programme manager": [
            "pes.add_activity",
            "pes.add_benefit",
            "pes.adjust_points",
            "pes.change_activity",
            "pes.change_benefit",
            "pes.change_tiers",
            "pes.review_claims",
            "pes.review_redemptions",
            "pes.run_evaluations",
            "pes.view_activity",
            "pes.view_benefit",
            "pes.view_claim",
            "pes.view_claimfile",
            "pes.view_pointsentry",
            "pes.view_redemption",
            "pes.view_tierchange",
            "pes.view_tierevaluation",
        ],
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("pes")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [("pes", "0003_adjust_points")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
