from datetime import date

import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify

from accounts.enums import InvitationRole, MembershipRole
from accounts.models import Invitation, Membership, User
from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from organisations.models import Cohort, Organisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class StaffFactory(UserFactory):
    is_itss_staff = True


class ReviewerFactory(UserFactory):
    is_reviewer = True


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        django_get_or_create = ["name"]

    name = "May 2017"
    starts_on = date(2017, 5, 1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SIGNATORY
    name = factory.Sequence(lambda n: f"University of Testshire {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    org_type = OrganisationType.UNIVERSITY
    region = Region.EAST_MIDLANDS
    status = OnboardingStatus.ENQUIRY
    enquiry_received_on = date(2024, 1, 10)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.LEAD


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    role = InvitationRole.LEAD
    invited_by = factory.SubFactory(StaffFactory)
