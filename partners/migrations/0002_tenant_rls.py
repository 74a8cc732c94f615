from django.db import migrations

from portal.tenancy.operations import EnableTenantRLS


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [
        EnableTenantRLS("membership"),
        EnableTenantRLS("historicalmembership"),
        EnableTenantRLS("invitation"),
        EnableTenantRLS("agreement"),
        EnableTenantRLS("partnerprofile"),
        EnableTenantRLS("salestraining"),
        EnableTenantRLS("technicalcertification"),
        # Applications hold applicants' contact details and only get an organisation on
        # approval: until then only named system contexts (the public form, staff) see them.
        EnableTenantRLS("partnerapplication"),
        EnableTenantRLS("historicalpartnerapplication"),
    ]
