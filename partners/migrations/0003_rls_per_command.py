from django.db import migrations

from portal.tenancy.operations import EnableTenantRLS

# The public locator reads listed profiles through this narrow read policy instead of a
# system context around the whole page: a profile is public once its organisation is
# active and its partner type is listed (the same rule as
# partners.selectors.directory.directory_entries, which still filters for the app).
PUBLIC_DIRECTORY = """
CREATE POLICY public_directory ON partners_partnerprofile FOR SELECT USING (
    EXISTS (
        SELECT 1 FROM partners_organisation o
        JOIN partners_partnertype t ON t.id = o.partner_type_id
        WHERE o.id = partners_partnerprofile.organisation_id
          AND o.status = 'active' AND t.listed_in_locator
    )
)
"""


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_tenant_rls")]

    # Re-applying replaces the single FOR ALL policy with one per command.
    operations = [
        EnableTenantRLS("membership"),
        EnableTenantRLS("historicalmembership"),
        EnableTenantRLS("invitation"),
        EnableTenantRLS("agreement"),
        EnableTenantRLS("partnerprofile"),
        EnableTenantRLS("salestraining"),
        EnableTenantRLS("technicalcertification"),
        EnableTenantRLS("partnerapplication"),
        EnableTenantRLS("historicalpartnerapplication"),
        migrations.RunSQL(
            PUBLIC_DIRECTORY,
            reverse_sql="DROP POLICY IF EXISTS public_directory ON partners_partnerprofile",
        ),
    ]
