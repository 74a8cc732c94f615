"""What a visitor of the public locator writes to a listed partner (issue 7)."""

from django.db import models

from portal.tenancy.models import TenantOwnedModel


class ContactRequest(TenantOwnedModel):
    """A visitor's message to a listed partner, received through its locator page. It
    belongs to that partner (the tenant): only its members and the channel team see it.
    The visitor has no account; what they typed is all we know of them."""

    name = models.CharField(max_length=150)
    email = models.EmailField()
    company = models.CharField(max_length=200, blank=True)
    message = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the partner's administrators were emailed (the task sends once).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: When a member marked it read in the reseller space.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return f"Contact request from {self.name}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
