"""Domain errors: raised by services, mapped to HTTP in one place (portal.api.errors).

Each carries a stable machine code, a human message and, when it concerns one input, the
field it concerns, so the API can answer 400 with field messages and a form can show the
message beside the field.
"""


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    default_code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"


class LinkInvalid(DomainError):
    """A public token link (no account) the portal did not make: tampered, truncated, or
    for another page."""

    status_code = 400
    default_code = "link_invalid"


class LinkGone(DomainError):
    """A real public token link that no longer works (used, expired, replaced, signed,
    cancelled...): the row decides, the signature only proves the portal made the link."""

    status_code = 410
    default_code = "link_gone"
