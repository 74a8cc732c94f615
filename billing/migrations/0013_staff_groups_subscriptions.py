"""Give channel finance the permission to cancel a partner's monthly subscription for it
(billing/staff_roles.py, billing.services.subscriptions).

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "billing": {
        "Channel reviewer": [
            "billing.view_billingaccount",
            "billing.view_creditentry",
            "billing.view_currencyrate",
            "billing.view_invoice",
            "billing.view_invoiceline",
            "billing.view_mdfbudget",
            "billing.view_mdfclaimfile",
            "billing.view_mdfrequest",
            "billing.view_order",
            "billing.view_orderline",
            "billing.view_quote",
            "billing.view_quoteline",
            "billing.view_redemptioncode",
            "billing.view_resellerdiscount",
            "billing.view_taxrate",
        ],
        "Channel finance": [
            "billing.cancel_subscriptions",
            "billing.change_currencyrate",
            "billing.change_taxrate",
            "billing.issue_credit_notes",
            "billing.pay_mdf",
            "billing.review_payments",
            "billing.view_billingaccount",
            "billing.view_creditentry",
            "billing.view_currencyrate",
            "billing.view_invoice",
            "billing.view_invoiceline",
            "billing.view_invoicepayment",
            "billing.view_mdfbudget",
            "billing.view_mdfclaimfile",
            "billing.view_mdfrequest",
            "billing.view_order",
            "billing.view_orderline",
            "billing.view_paymentproof",
            "billing.view_quote",
            "billing.view_quoteline",
            "billing.view_redemptioncode",
            "billing.view_resellerdiscount",
            "billing.view_taxrate",
        ],
        "Programme manager": [
            "billing.review_mdf",
            "billing.set_mdf_budgets",
            "billing.view_billingaccount",
            "billing.view_creditentry",
            "billing.view_currencyrate",
            "billing.view_invoice",
            "billing.view_invoiceline",
            "billing.view_mdfbudget",
            "billing.view_mdfclaimfile",
            "billing.view_mdfrequest",
            "billing.view_order",
            "billing.view_orderline",
            "billing.view_quote",
            "billing.view_quoteline",
            "billing.view_redemptioncode",
            "billing.view_resellerdiscount",
            "billing.view_taxrate",
        ],
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
    dependencies = [("billing", "0012_order_cancel_subscriptions_permission")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
