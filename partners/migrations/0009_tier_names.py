"""Name the Vates programme's tiers on existing installs (issue 7): tier 1 is the entry
tier, tier 4 the top. New installs get the names from the fixture (load_programme); this
only fills names still empty, so a name the channel team already chose is kept."""

from django.db import migrations

# A copy, not an import: a migration keeps the data it was written with.
VATES_TIER_NAMES = {1: "Registered", 2: "Silver", 3: "Gold", 4: "Platinum"}


def name_tiers(apps, schema_editor):
    Tier = apps.get_model("partners", "Tier")
    for level, name in VATES_TIER_NAMES.items():
        Tier.objects.filter(
            partner_type__programme__code="vates", level=level, name=""
        ).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("partners", "0008_discount_range_from_rules")]

    operations = [migrations.RunPython(name_tiers, migrations.RunPython.noop)]
