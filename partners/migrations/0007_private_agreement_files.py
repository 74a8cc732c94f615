import portal.storage
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0006_secrets_out_of_the_outbox"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agreement",
            name="agreement_pdf",
            field=models.FileField(
                blank=True, storage=portal.storage.private_storage, upload_to="agreements/"
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="order_form_pdf",
            field=models.FileField(
                blank=True, storage=portal.storage.private_storage, upload_to="agreements/"
            ),
        ),
    ]
