"""Template helpers for the deal pages."""

from django import template

from deals.models import Deal

register = template.Library()

Status = Deal.Status

#: Bootstrap badge classes by status: waiting (grey), needs attention (amber), reserved
#: (green), closed well (blue) or not (red, dark).
BADGES = {
    Status.SUBMITTED: "text-bg-secondary",
    Status.CONFLICT: "text-bg-warning",
    Status.MORE_INFO_REQUESTED: "text-bg-warning",
    Status.APPROVED: "text-bg-success",
    Status.REJECTED: "text-bg-danger",
    Status.EXPIRED: "text-bg-dark",
    Status.WON: "text-bg-primary",
    Status.LOST: "text-bg-light border",
}


@register.filter
def deal_badge(status: str) -> str:
    return BADGES.get(status, "text-bg-light border")
