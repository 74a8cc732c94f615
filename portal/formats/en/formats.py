# The portal's formats for English (see portal/formats/__init__.py): Django's own "en"
# formats ("Nov. 29, 2026, 7:03 a.m.") would otherwise win over the settings.
from portal.formats import DATE_FORMAT, DATETIME_FORMAT

SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT"]
