from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from guanhuai.accounts.models import RoleAssignment, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "village_clerk"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


def user_with_role(role: str, unit, **kwargs) -> User:
    user = UserFactory(home_unit=unit, **kwargs)
    RoleAssignmentFactory(user=user, org_unit=unit, role=role)
    return user
