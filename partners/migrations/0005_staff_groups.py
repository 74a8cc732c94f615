"""Create the channel team's groups (see portal.staff_groups), so that every database has
them after ``migrate``, production included.

The definition is copied here as it stood when this migration was written: a migration must
not change meaning when partners/staff_roles.py changes later (a later change adds a
migration of its own). Permissions are normally created after all migrations have run; the
partners app's are created here first so that the groups can hold them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "partners": {
        "Channel reviewer": [
            "partners.record_certification",
            "partners.record_training",
            "partners.retry_agreement_documents",
            "partners.review_application",
            "partners.view_agreement",
            "partners.view_discountrule",
            "partners.view_embargoedterritory",
            "partners.view_invitation",
            "partners.view_membership",
            "partners.view_organisation",
            "partners.view_partnerapplication",
            "partners.view_partnerprofile",
            "partners.view_partnertype",
            "partners.view_programme",
            "partners.view_salestraining",
            "partners.view_technicalcertification",
            "partners.view_tier",
        ],
        "Channel finance": [
            "partners.view_agreement",
            "partners.view_discountrule",
            "partners.view_embargoedterritory",
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
            "partners.add_partnertype",
            "partners.add_programme",
            "partners.add_tier",
            "partners.change_discountrule",
            "partners.change_embargoedterritory",
            "partners.change_invitation",
            "partners.change_membership",
            "partners.change_organisation",
            "partners.change_partnerprofile",
            "partners.change_partnertype",
            "partners.change_programme",
            "partners.change_tier",
            "partners.delete_discountrule",
            "partners.delete_embargoedterritory",
            "partners.delete_membership",
            "partners.delete_partnertype",
            "partners.delete_programme",
            "partners.delete_tier",
            "partners.record_certification",
            "partners.record_training",
            "partners.retry_agreement_documents",
            "partners.review_application",
            "partners.view_agreement",
            "partners.view_discountrule",
            "partners.view_embargoedterritory",
            "partners.view_invitation",
            "partners.view_membership",
            "partners.view_organisation",
            "partners.view_partnerapplication",
            "partners.view_partnerprofile",
            "partners.view_partnertype",
            "partners.view_programme",
            "partners.view_salestraining",
            "partners.view_technicalcertification",
            "partners.view_tier",
        ],
    }
}


def create_groups(apps, schema_editor):
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
    dependencies = [
        ("partners", "0004_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
