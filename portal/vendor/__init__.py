"""The vendor (seller of record) whose partner portal this is: SPEC §3.12.

One row (``portal.models.Vendor``) kept by the channel team in the admin, written only by
``services.vendor_update``, read through ``selectors.current_vendor`` (templates get it from
the ``portal.context_processors.vendor`` context processor, emails and PDFs from their
renderers).
"""
