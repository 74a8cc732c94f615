"""Contact requests, as a visitor of the locator would leave them."""

import factory

from partners.models import ContactRequest
from tests.factories import OrganisationFactory, SystemFactory


class ContactRequestFactory(SystemFactory):
    class Meta:
        model = ContactRequest

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Visitor {n}")
    email = factory.Sequence(lambda n: f"visitor{n}@customer.example")
    company = "Customer GmbH"
    message = "We need 40 seats and a quote for next quarter."
