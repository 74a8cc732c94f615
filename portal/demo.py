"""The demo vendor: Vates (SPEC §3.12, §5).

The brand and the contact address come from Vates' programme document; it gives no legal
identity, bank or phone, so those below are **fictitious demo values** that pass the format
and checksum rules (SIREN 123 456 782, its VAT key, a widely published example French IBAN):
the README says so. A real deployment enters its own in the admin.
"""

from portal.vendor.services import vendor_update

VATES = {
    "brand_name": "Vates",
    "legal_name": "Vates SAS",
    "registered_address": "1 rue de la Démonstration\n38000 Grenoble\nFrance",
    "country": "FR",
    "vat_number": "FR11123456782",
    "company_number": "123456782",
    "company_registry": "RCS Grenoble",
    "governing_law": "French law",
    "courts": "the commercial court of Grenoble, France",
    "bank_name": "Banque de Démonstration",
    "iban": "FR7630006000011234567890189",
    "bic": "DEMOFRPPXXX",
    "support_email": "partners@vates.tech",
    "support_url": "https://vates.tech",
    "channel_team_email": "partners@vates.tech",
    "channel_team_phone": "+33 4 00 00 00 00",
}


def seed(*, stdout, password: str) -> None:
    vendor_update(changes=VATES, actor=None)  # seed_demo's system context; unchanged: no-op
    stdout.write("  vendor: Vates SAS")
