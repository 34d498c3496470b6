"""factory_boy factories for the association's records (fast set-up for tests; services are tested
through their own calls)."""

from __future__ import annotations

import datetime as dt

import factory

from guanhuai.association.models import Cadre, Member
from guanhuai.association.states import Employment


class MemberFactory(factory.django.DjangoModelFactory):
    """Pass `org_unit=` (and `person=` for a registry person)."""

    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"会员{n}")
    card_no = factory.Sequence(lambda n: f"M{n:06d}")
    joined_on = dt.date(2024, 5, 29)


class CadreFactory(factory.django.DjangoModelFactory):
    """Pass `org_unit=`."""

    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    employment = Employment.FULL_TIME
    position = "秘书长"
    appointed_on = dt.date(2023, 1, 1)
