"""Co-led became two engagement models (partner-led and vendor-led): every discount rule
for "co_led" now names "co_led_partner", and gets a twin for "co_led_vendor" with the same
percent, so that both kinds keep the discount the one rule gave."""

from django.db import migrations


def split(apps, schema_editor):
    rule_model = apps.get_model("partners", "DiscountRule")
    for rule in rule_model.objects.filter(engagement_model="co_led"):
        rule.engagement_model = "co_led_partner"
        rule.save(update_fields=["engagement_model"])
        rule_model.objects.get_or_create(
            programme_id=rule.programme_id,
            partner_type_id=rule.partner_type_id,
            tier_level=rule.tier_level,
            engagement_model="co_led_vendor",
            defaults={"percent": rule.percent},
        )


def join(apps, schema_editor):
    rule_model = apps.get_model("partners", "DiscountRule")
    rule_model.objects.filter(engagement_model="co_led_vendor").delete()
    rule_model.objects.filter(engagement_model="co_led_partner").update(engagement_model="co_led")


class Migration(migrations.Migration):
    dependencies = [("partners", "0012_engagement_models_and_deal_settings")]

    operations = [migrations.RunPython(split, join)]
