"""Sessions and registrations for tests that only need rows (the services are tested in
tests/sessions/)."""

import datetime

import factory
from django.utils import timezone

from partners.models import Session, SessionRegistration
from tests.factories import MembershipFactory, SystemFactory


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    title = factory.Sequence(lambda n: f"Webinar {n}")
    kind = Session.Kind.WEBINAR
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    time_zone = "Europe/Paris"
    capacity = 50
    online_link = "https://meet.example/webinar"


class SessionRegistrationFactory(SystemFactory):
    class Meta:
        model = SessionRegistration

    session = factory.SubFactory(SessionFactory)
    membership = factory.SubFactory(MembershipFactory)
    organisation = factory.SelfAttribute("membership.organisation")
    person_name = factory.Sequence(lambda n: f"Attendee {n}")
    person_email = factory.Sequence(lambda n: f"attendee{n}@partner.example")
