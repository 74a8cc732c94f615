"""Private files: agreements, order forms, and later invoices and payment proofs.

They live under ``PRIVATE_MEDIA_ROOT``, outside the public media directory, and have no
URL at all: ``url()`` refuses. The only way out is a view that checks who asks and answers
through ``portal.files.private_file_response``. Public files (logos) stay in the default
storage.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="portal.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "Private files have no URL: serve them through a view that checks the owner."
        )


def private_storage():
    """The storage of model fields holding private files (a callable, so that tests and
    deployments can swap ``STORAGES["private"]``)."""
    return storages["private"]
