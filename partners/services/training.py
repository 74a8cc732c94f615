"""Recording sales training attendances and technical certifications (SPEC §3.8).

The channel team records them (in the admin); they feed the tier requirements through
``partners.selectors.training.certified_counts``. The rules live here once: the admin's
form calls the validators to show errors beside the fields, and saving calls the record
functions, which validate again.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from partners.models import Membership, Organisation, SalesTraining, TechnicalCertification
from portal.audit.services import audit_record, audit_values
from portal.errors import DomainError
from portal.permissions import require_staff_permission

_NAME_MAX = SalesTraining._meta.get_field("person_name").max_length


def person_record_validate(
    *,
    organisation: Organisation,
    membership: Membership | None,
    person_name: str = "",
    person_email: str = "",
) -> None:
    """The person is a member of the organisation the record is for, or, when they are
    not (or no longer) a member, is named with an email address."""
    if membership is not None and membership.organisation_id != organisation.pk:
        raise DomainError(
            "This member does not belong to the chosen organisation.",
            field="membership",
            code="membership_not_in_organisation",
        )
    if membership is None:
        if not person_name.strip():
            raise DomainError(
                "Give the person's name, or choose them among the organisation's members.",
                field="person_name",
                code="required",
            )
        if not person_email.strip():
            raise DomainError(
                "Give the person's email address, or choose them among the organisation's members.",
                field="person_email",
                code="required",
            )


def certification_validate(
    *,
    organisation: Organisation,
    membership: Membership | None,
    obtained_on: datetime.date,
    expires_on: datetime.date | None,
    person_name: str = "",
    person_email: str = "",
) -> None:
    person_record_validate(
        organisation=organisation,
        membership=membership,
        person_name=person_name,
        person_email=person_email,
    )
    if expires_on is not None and expires_on <= obtained_on:
        raise DomainError(
            "The expiry date must be after the date the certification was obtained.",
            field="expires_on",
            code="expires_before_obtained",
        )


def _person(*, membership: Membership | None, person_name: str, person_email: str):
    """The name and email to record: as given, or else the member's."""
    name, email = person_name.strip(), person_email.strip()
    if membership is not None:
        user = membership.user
        name = name or (user.full_name.strip() or user.email)[:_NAME_MAX]
        email = email or user.email
    return name, email


@transaction.atomic
def sales_training_record(
    *,
    actor,
    organisation: Organisation,
    attended_on: datetime.date,
    membership: Membership | None = None,
    person_name: str = "",
    person_email: str = "",
    session: str = "",
    training: SalesTraining | None = None,
) -> SalesTraining:
    """Record (or, given ``training``, correct) a sales training attendance. A blank
    name or email is taken from the member's account; ``recorded_by`` becomes the actor.
    ``training`` may be an unsaved instance to fill (the admin's add form gives one)."""
    require_staff_permission(
        actor,
        "partners.record_training",
        "Recording sales training needs the channel team's permission for it.",
    )
    return sales_training_write(
        actor=actor,
        organisation=organisation,
        attended_on=attended_on,
        membership=membership,
        person_name=person_name,
        person_email=person_email,
        session=session,
        training=training,
    )


@transaction.atomic
def sales_training_write(
    *,
    actor,
    organisation: Organisation,
    attended_on: datetime.date,
    membership: Membership | None = None,
    person_name: str = "",
    person_email: str = "",
    session: str = "",
    training: SalesTraining | None = None,
) -> SalesTraining:
    """``sales_training_record`` once the caller's permission is checked (attendance of a
    sales-training session writes through here, under ``partners.record_attendance``)."""
    person_record_validate(
        organisation=organisation,
        membership=membership,
        person_name=person_name,
        person_email=person_email,
    )
    name, email = _person(membership=membership, person_name=person_name, person_email=person_email)
    record = training if training is not None else SalesTraining()
    before = _stored_values(record, _SALES_AUDITED)
    record.organisation = organisation
    record.membership = membership
    record.person_name = name
    record.person_email = email
    record.attended_on = attended_on
    record.session = session.strip()
    record.recorded_by = actor
    record.save()
    audit_record(
        actor=actor,
        action="training.recorded" if not before else "training.corrected",
        obj=record,
        organisation=organisation,
        before=before,
        after=audit_values(record, _SALES_AUDITED),
        summary=f"Sales training of {record.person_name} on {record.attended_on:%d %b %Y} "
        + ("recorded" if not before else "corrected"),
    )
    return record


@transaction.atomic
def certification_record(
    *,
    actor,
    organisation: Organisation,
    name: str,
    obtained_on: datetime.date,
    expires_on: datetime.date | None = None,
    membership: Membership | None = None,
    person_name: str = "",
    person_email: str = "",
    certification: TechnicalCertification | None = None,
) -> TechnicalCertification:
    """Record (or, given ``certification``, correct) a technical certification, in the
    same way as ``sales_training_record``."""
    require_staff_permission(
        actor,
        "partners.record_certification",
        "Recording certifications needs the channel team's permission for it.",
    )
    return certification_write(
        actor=actor,
        organisation=organisation,
        name=name,
        obtained_on=obtained_on,
        expires_on=expires_on,
        membership=membership,
        person_name=person_name,
        person_email=person_email,
        certification=certification,
    )


@transaction.atomic
def certification_write(
    *,
    actor,
    organisation: Organisation,
    name: str,
    obtained_on: datetime.date,
    expires_on: datetime.date | None = None,
    membership: Membership | None = None,
    person_name: str = "",
    person_email: str = "",
    certification: TechnicalCertification | None = None,
) -> TechnicalCertification:
    """``certification_record`` once the caller's permission is checked (attendance of a
    certifying session writes through here, under ``partners.record_attendance``)."""
    if not name.strip():
        raise DomainError("Name the certification.", field="name", code="required")
    certification_validate(
        organisation=organisation,
        membership=membership,
        obtained_on=obtained_on,
        expires_on=expires_on,
        person_name=person_name,
        person_email=person_email,
    )
    person, email = _person(
        membership=membership, person_name=person_name, person_email=person_email
    )
    record = certification if certification is not None else TechnicalCertification()
    before = _stored_values(record, _CERTIFICATION_AUDITED)
    record.organisation = organisation
    record.membership = membership
    record.person_name = person
    record.person_email = email
    record.name = name.strip()
    record.obtained_on = obtained_on
    record.expires_on = expires_on
    record.recorded_by = actor
    record.save()
    audit_record(
        actor=actor,
        action="certification.recorded" if not before else "certification.corrected",
        obj=record,
        organisation=organisation,
        before=before,
        after=audit_values(record, _CERTIFICATION_AUDITED),
        summary=f"Certification {record.name} of {record.person_name} "
        + ("recorded" if not before else "corrected"),
    )
    if not before:
        from pes.services.awards import award_certification  # pes imports partners

        award_certification(certification=record)  # engagement points, once per expert
    return record


_PERSON_AUDITED = ["organisation", "membership", "person_name", "person_email"]
_SALES_AUDITED = [*_PERSON_AUDITED, "attended_on", "session"]
_CERTIFICATION_AUDITED = [*_PERSON_AUDITED, "name", "obtained_on", "expires_on"]


def _stored_values(record, fields: list[str]) -> dict:
    """The record as stored before this change ({} for a new one): an instance from the
    admin's form already carries the new values, so they are read back from the row."""
    if record._state.adding or record.pk is None:
        return {}
    stored = type(record).objects.filter(pk=record.pk).first()
    return audit_values(stored, fields) if stored is not None else {}
