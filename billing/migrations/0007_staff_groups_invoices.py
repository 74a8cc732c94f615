"""Give the channel team's groups the invoices' permissions (billing/staff_roles.py): every
role reads invoices, the currency rates and the first-sale credit ledger; finance keeps the rates, reviews payment proofs,
records payments and issues credit notes.

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_READ = [
    "billing.view_billingaccount",
    "billing.view_order",
    "billing.view_orderline",
    "billing.view_quote",
    "billing.view_quoteline",
    "billing.view_redemptioncode",
    "billing.view_resellerdiscount",
    "billing.view_taxrate",
    "billing.view_invoice",
    "billing.view_invoiceline",
    "billing.view_currencyrate",
    "billing.view_creditentry",
]

ROLES = {
    "billing": {
        "Channel reviewer": _READ,
        "Channel finance": [
            *_READ,
            "billing.change_taxrate",
            "billing.change_currencyrate",
            "billing.view_paymentproof",
            "billing.view_invoicepayment",
            "billing.review_payments",
            "billing.issue_credit_notes",
        ],
        "Programme manager": _READ,
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("billing")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_credits_ledger")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
