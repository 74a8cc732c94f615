"""The channel team's groups read the rest of licensing in the admin (licensing/staff_roles.py):
trials, expiry reminders, customer links, seats, activations and signing keys join what
every role reads (0007). Releasing a machine is the programme manager's
``manage_licences``, held already; rotating the signing key is held by no group.

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_READ = [
    "licensing.view_activation",
    "licensing.view_customerlink",
    "licensing.view_licence",
    "licensing.view_licenceevent",
    "licensing.view_licencereminder",
    "licensing.view_plan",
    "licensing.view_product",
    "licensing.view_seat",
    "licensing.view_signingkey",
    "licensing.view_trial",
]

_REVIEW = [
    "licensing.review_evaluation_licence",
    "licensing.review_trial_extension",
    "licensing.view_evaluationlicencerequest",
    "licensing.view_trialextensionrequest",
]

ROLES = {
    "licensing": {
        "Channel reviewer": [*_READ, *_REVIEW],
        "Channel finance": _READ,
        "Programme manager": [
            *_READ,
            *_REVIEW,
            "licensing.add_plan",
            "licensing.add_product",
            "licensing.change_plan",
            "licensing.change_product",
            "licensing.manage_licences",
        ],
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("licensing")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0007_catalogue_staff_groups"),
        ("partners", "0005_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
