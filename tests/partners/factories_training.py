"""Factories for training records: by default for a new member of a new organisation."""

import datetime

import factory

from partners.models import SalesTraining, TechnicalCertification
from tests.factories import MembershipFactory, SystemFactory


class _PersonRecordFactory(SystemFactory):
    class Meta:
        abstract = True

    membership = factory.SubFactory(MembershipFactory)
    organisation = factory.LazyAttribute(lambda o: o.membership.organisation)
    person_name = factory.LazyAttribute(
        lambda o: o.membership.user.get_full_name() if o.membership else "Former Member"
    )
    person_email = factory.LazyAttribute(
        lambda o: o.membership.user.email if o.membership else "former@partner.example"
    )


class SalesTrainingFactory(_PersonRecordFactory):
    class Meta:
        model = SalesTraining

    attended_on = datetime.date(2026, 1, 15)
    session = "Sales training, January"


class TechnicalCertificationFactory(_PersonRecordFactory):
    class Meta:
        model = TechnicalCertification

    name = "Certified Administrator"
    obtained_on = datetime.date(2026, 1, 15)
    expires_on = datetime.date(2028, 1, 15)
