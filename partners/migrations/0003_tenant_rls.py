from django.db import migrations

from portal.tenancy.operations import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_initial")]

    operations = [
        EnableTenantRLS("membership"),
        EnableTenantRLS("historicalmembership"),
    ]
