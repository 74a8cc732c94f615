"""factory_boy factories. Rows are written in a system context, as the platform would, so
the factories also work when the tests connect as a non-superuser table owner (which RLS
binds because the tables FORCE it)."""

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from partners.models import Membership, Organisation, PartnerType, Programme, Tier
from portal.models import User
from tests.tenancy_support import observer

PASSWORD = "correct-horse-battery-staple"


class SystemFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with observer():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(SystemFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@partner{n}.example")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            with observer():
                EmailAddress.objects.get_or_create(
                    user=self, email=self.email, defaults={"verified": True, "primary": True}
                )


class ProgrammeFactory(SystemFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "test-programme"
    name = "Test Programme"
    is_default = factory.LazyFunction(
        lambda: not Programme.objects.filter(is_default=True).exists()
    )


class PartnerTypeFactory(SystemFactory):
    class Meta:
        model = PartnerType
        django_get_or_create = ("programme", "code")

    programme = factory.SubFactory(ProgrammeFactory)
    code = "reseller"
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").title())


class TierFactory(SystemFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("partner_type", "level")

    partner_type = factory.SubFactory(PartnerTypeFactory)
    level = 1


class OrganisationFactory(SystemFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    country = "DE"
    partner_type = factory.SubFactory(PartnerTypeFactory)
    tier = factory.SubFactory(TierFactory, partner_type=factory.SelfAttribute("..partner_type"))
    status = Organisation.Status.ACTIVE


class MembershipFactory(SystemFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ADMIN


def staff_user(*permissions: str, **fields) -> User:
    """A channel-team account (not a superuser) holding exactly ``permissions``
    (``"partners.review_application"``, ...)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True, **fields)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user
