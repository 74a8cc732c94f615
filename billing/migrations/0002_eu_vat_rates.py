"""The EU member states' standard VAT rates as a starting table (2026); the channel team
keeps them up to date in the admin. Other countries are added as needed: a country
without a row is taxed at 0 % only where no VAT applies (exports), so the vendor's own
country must have one."""

from decimal import Decimal

from django.db import migrations

STANDARD_RATES = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25",
    "EE": "24", "ES": "21", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27",
    "IE": "23", "IT": "22", "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21",
    "PL": "23", "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
}


def add_rates(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    for country, rate in STANDARD_RATES.items():
        TaxRate.objects.get_or_create(country=country, defaults={"rate": Decimal(rate)})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(add_rates, migrations.RunPython.noop)]
