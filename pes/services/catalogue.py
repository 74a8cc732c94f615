"""Loading a programme's engagement catalogue (SPEC §3.9) from its fixture: the
activities (``pes_activities``) and the benefits (``pes_benefits``).

Called by partners.services.programme.programme_load in its transaction, which audits
the load (``catalogue_snapshot`` gives it the catalogue's flat keys). Activities and
benefits are updated in place by code (claims and redemptions point at them); one the
fixture no longer names is made inactive, never deleted. A fixture without the keys
leaves the catalogue as it is."""

from __future__ import annotations

from pes.models import Activity, Benefit

_ACTIVITY_FIELDS = [
    "name",
    "category",
    "points",
    "description",
    "evidence_hint",
    "claimable",
    "auto_event",
    "active",
]
_BENEFIT_FIELDS = ["name", "description", "points", "active"]


def _defaults(model, item: dict, fields: list[str]) -> dict:
    values = {}
    for name in fields:
        field = model._meta.get_field(name)
        values[name] = item[name] if name in item else field.get_default()
    return values


def _sync(model, *, programme, items: list[dict] | None, fields: list[str]) -> None:
    if items is None:
        return
    codes = set()
    for item in items:
        codes.add(item["code"])
        model.objects.update_or_create(
            programme=programme, code=item["code"], defaults=_defaults(model, item, fields)
        )
    model.objects.filter(programme=programme, active=True).exclude(code__in=codes).update(
        active=False
    )


def catalogue_load(*, programme, activities: list[dict] | None, benefits: list[dict] | None):
    """Create or update the programme's activities and benefits from the fixture's lists.

    An auto-event moving from one activity to another: the old one lets go of it first
    (one activity per event and programme)."""
    if activities is not None:
        events = {a["code"]: a.get("auto_event", "") for a in activities}
        for activity in Activity.objects.filter(programme=programme).exclude(auto_event=""):
            if events.get(activity.code, "") != activity.auto_event:
                activity.auto_event = ""
                activity.save(update_fields=["auto_event"])
    _sync(Activity, programme=programme, items=activities, fields=_ACTIVITY_FIELDS)
    _sync(Benefit, programme=programme, items=benefits, fields=_BENEFIT_FIELDS)


def catalogue_snapshot(*, programme) -> dict:
    """The catalogue as flat keys (``pes.activity.case-study.points``) for the load's audit."""
    values = {}
    for activity in Activity.objects.filter(programme=programme):
        for name in _ACTIVITY_FIELDS:
            values[f"pes.activity.{activity.code}.{name}"] = getattr(activity, name)
    for benefit in Benefit.objects.filter(programme=programme):
        for name in _BENEFIT_FIELDS:
            values[f"pes.benefit.{benefit.code}.{name}"] = getattr(benefit, name)
    return values
