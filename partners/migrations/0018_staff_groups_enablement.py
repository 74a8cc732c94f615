"""Give the channel team's groups the permissions of sessions and the marketing center
(partners/staff_roles.py): every role reads them; reviewers record attendance; the
programme manager schedules sessions and keeps the marketing assets.

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "partners": {
        "Channel reviewer": [
            "partners.record_attendance",
            "partners.record_certification",
            "partners.record_training",
            "partners.retry_agreement_documents",
            "partners.review_application",
            "partners.view_agreement",
            "partners.view_discountrule",
            "partners.view_embargoedterritory",
            "partners.view_invitation",
            "partners.view_marketingasset",
            "partners.view_membership",
            "partners.view_organisation",
            "partners.view_partnerapplication",
            "partners.view_partnerprofile",
            "partners.view_partnertype",
            "partners.view_programme",
            "partners.view_salestraining",
            "partners.view_session",
            "partners.view_sessionregistration",
            "partners.view_technicalcertification",
            "partners.view_tier",
        ],
        "Channel finance": [
            "partners.view_agreement",
            "partners.view_discountrule",
            "partners.view_embargoedterritory",
            "partners.view_marketingasset",
            "partners.view_membership",
            "partners.view_organisation",
            "partners.view_partnerprofile",
            "partners.view_partnertype",
            "partners.view_programme",
            "partners.view_tier",
        ],
        "Programme manager": [
            "partners.add_discountrule",
            "partners.add_embargoedterritory",
            "partners.add_invitation",
            "partners.add_marketingasset",
            "partners.add_partnertype",
            "partners.add_programme",
            "partners.add_session",
            "partners.add_tier",
            "partners.change_discountrule",
            "partners.change_embargoedterritory",
            "partners.change_invitation",
            "partners.change_marketingasset",
            "partners.change_membership",
            "partners.change_organisation",
            "partners.change_partnerprofile",
            "partners.change_partnertype",
            "partners.change_programme",
            "partners.change_session",
            "partners.change_tier",
            "partners.delete_discountrule",
            "partners.delete_embargoedterritory",
            "partners.delete_membership",
            "partners.delete_partnertype",
            "partners.delete_programme",
            "partners.delete_tier",
            "partners.record_attendance",
            "partners.record_certification",
            "partners.record_training",
            "partners.retry_agreement_documents",
            "partners.review_application",
            "partners.view_agreement",
            "partners.view_discountrule",
            "partners.view_embargoedterritory",
            "partners.view_invitation",
            "partners.view_marketingasset",
            "partners.view_membership",
            "partners.view_organisation",
            "partners.view_partnerapplication",
            "partners.view_partnerprofile",
            "partners.view_partnertype",
            "partners.view_programme",
            "partners.view_salestraining",
            "partners.view_session",
            "partners.view_sessionregistration",
            "partners.view_technicalcertification",
            "partners.view_tier",
        ],
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("partners")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [("partners", "0017_marketing")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
