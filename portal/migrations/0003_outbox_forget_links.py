"""Delete the sent outbox rows of older versions that carried a link in clear.

Before tasks received ids, the invitation email (its accept link takes a seat, for an
approved application the first admin's) and the "more information" email (its reply
link) were queued with the link in their arguments, and sent rows were kept forever.
Rows still waiting are left to the relay: deleting them would lose the email.
"""

from django.db import migrations

LINK_TEMPLATES = [
    "partners/emails/invitation",
    "partners/emails/application_info_requested",
]


def forget_links(apps, schema_editor):
    OutboxTask = apps.get_model("portal", "OutboxTask")
    OutboxTask.objects.filter(
        task_name="portal.send_templated_email",
        sent_at__isnull=False,
        kwargs__template__in=LINK_TEMPLATES,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_outbox"),
    ]

    operations = [migrations.RunPython(forget_links, migrations.RunPython.noop)]
