"""Format and checksum checks for the vendor's identifiers: IBAN (ISO 13616, mod 97), BIC
(ISO 9362), EU VAT numbers (format; the French key is checked against the SIREN) and the
French SIREN (Luhn).

python-stdnum would cover every country's rules; it is not a dependency of the project, and
the vendor's few identifiers need only these. Each function returns the value in its
stored form (upper case, no spaces) or raises ``ValueError`` with a message for a person.
"""

from __future__ import annotations

import re

#: IBAN length per country (ISO 13616 registry), for the countries of the EU/EEA, the UK and
#: Switzerland. Another country's IBAN passes on the generic format and checksum.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip

_IBAN_FORMAT = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC_FORMAT = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
# EU VAT identification numbers: a two-letter prefix (Greece's is EL) and 2 to 12 letters
# or digits; the exact shape per country is not checked here, except France's.
_VAT_FORMAT = re.compile(r"^[A-Z]{2}[A-Z0-9]{2,12}$")
_FR_VAT_FORMAT = re.compile(r"^FR[0-9A-Z]{2}[0-9]{9}$")


def compact(value: str) -> str:
    """Upper case without spaces, dots or hyphens (as people write these numbers)."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def iban_clean(value: str) -> str:
    iban = compact(value)
    if not _IBAN_FORMAT.match(iban):
        raise ValueError(
            "Enter an IBAN: a two-letter country code, two check digits and the account "
            "number (letters and digits)."
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise ValueError(
            f"An IBAN of {iban[:2]} has {expected} characters; this one has {len(iban)}."
        )
    if iban_checksum(iban) != 1:
        raise ValueError("This IBAN's check digits are wrong: check it for a typing mistake.")
    return iban


def iban_checksum(iban: str) -> int:
    """ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end and
    letters as numbers (A=10 ... Z=35): 1 for a valid IBAN."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97


def bic_clean(value: str) -> str:
    bic = compact(value)
    if not _BIC_FORMAT.match(bic):
        raise ValueError(
            "Enter a BIC (SWIFT code): 8 or 11 characters, the bank's four letters, the "
            "country's two letters, then letters or digits."
        )
    return bic


def siren_clean(value: str) -> str:
    siren = compact(value)
    if not (len(siren) == 9 and siren.isascii() and siren.isdigit()):
        raise ValueError("Enter the SIREN: nine digits.")
    if not luhn_valid(siren):
        raise ValueError("This SIREN's check digit is wrong: check it for a typing mistake.")
    return siren


def luhn_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def french_vat_key(siren: str) -> str:
    """The two-digit key of a French VAT number (FRkk + SIREN)."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def vat_clean(value: str, *, siren: str | None = None) -> str:
    """An EU VAT number. A French one must carry the SIREN given (when there is one) and
    its key."""
    vat = compact(value)
    if not _VAT_FORMAT.match(vat):
        raise ValueError(
            "Enter the VAT number with its country prefix, e.g. FR12345678901 or DE123456789."
        )
    if vat.startswith("FR"):
        if not _FR_VAT_FORMAT.match(vat):
            raise ValueError("A French VAT number is FR, a two-character key and the SIREN.")
        if siren and vat[4:] != siren:
            raise ValueError("This French VAT number does not carry the company's SIREN.")
        if vat[2:4].isdigit() and vat[2:4] != french_vat_key(vat[4:]):
            raise ValueError("This VAT number's key is wrong: check it for a typing mistake.")
    return vat
