"""Encrypt the two-factor secrets enrolled before portal.mfa encrypted them (TOTP keys,
recovery seeds and any recovery codes allauth migrated). Secrets already encrypted are
left alone, so the migration may run again; reversing it stores them in the clear."""

from django.db import migrations

from portal.mfa import ENCRYPTED_PREFIX, secret_decrypt, secret_encrypt

SECRET_FIELDS = {"totp": "secret", "recovery_codes": "seed"}


def _convert(data: dict, field: str, change, wanted) -> bool:
    changed = False
    if field in data and wanted(data[field]):
        data[field] = change(data[field])
        changed = True
    codes = data.get("migrated_codes")
    if codes is not None and any(wanted(code) for code in codes):
        data["migrated_codes"] = [change(code) if wanted(code) else code for code in codes]
        changed = True
    return changed


def _rewrite(apps, change, wanted):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_FIELDS).iterator():
        data = dict(authenticator.data)
        if _convert(data, SECRET_FIELDS[authenticator.type], change, wanted):
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt(apps, schema_editor):
    _rewrite(apps, secret_encrypt, lambda text: not text.startswith(ENCRYPTED_PREFIX))


def decrypt(apps, schema_editor):
    _rewrite(apps, secret_decrypt, lambda text: text.startswith(ENCRYPTED_PREFIX))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_staff_groups_vendor"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
