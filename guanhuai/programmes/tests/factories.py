"""Builders for programme tests. `ProgrammeFactory` (factory_boy), `enrol` and `entitle` write rows directly (tests of one
sub-domain should not depend on another's services); tests of a service call the service itself. The
review world (`build_apps`, `submitted`, `at_day`, document bytes) and the enrolment world
(`special_assistance`, `bereaved_couple`) are shared by the review, enrolment, page, API and home tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from guanhuai.accounts.actor import Actor
from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.programmes.models import AmountRule, Cycle, Enrolment, Entitlement, Programme, RuleVersion
from guanhuai.programmes.periods import month_index, parse_period
from guanhuai.programmes.services import application_common, approval
from guanhuai.programmes.services import applications as application_svc
from guanhuai.programmes.services import notices as notice_svc
from guanhuai.programmes.states import EntitlementStatus, Target
from guanhuai.registry.models import Person
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A programme with one rule version (`rule=`, default everyone) and one amount rule for everyone
    (`amount=`, from `valid_from=`). Pass `org_unit=` and `created_by=`."""

    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"p{n}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    legal_basis = "测试依据"

    @classmethod
    def _create(
        cls,
        model_class: Any,
        *args: Any,
        rule: dict | None = None,
        amount: str = "590.00",
        valid_from: str = "2022-07-01",
        **fields: Any,
    ) -> Programme:
        programme = super()._create(model_class, *args, **fields)
        RuleVersion.objects.create(
            programme=programme, version=1, rule=rule or {"all": []}, created_by=programme.created_by
        )
        AmountRule.objects.create(
            programme=programme,
            label="标准",
            amount=Decimal(amount),
            valid_from=dt.date.fromisoformat(valid_from),
        )
        return programme


def enrol(
    programme: Programme, person: Any, *, start: str = "2026-01-01", end: str | None = None, **kw: Any
) -> Enrolment:
    """An active enrolment from the month of `start` (to the month of `end`, if given)."""
    return Enrolment.objects.create(
        programme=programme,
        person=person,
        org_unit=person.org_unit,
        start_month=month_index(dt.date.fromisoformat(start)),
        end_month=month_index(dt.date.fromisoformat(end)) if end else None,
        **kw,
    )


# --- the review world ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def uploaded(content: bytes = PDF, name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def at_day(monkeypatch, day: dt.date) -> None:
    """Pretend today is `day` for the review services (notice periods are calendar days)."""
    for module in (application_common, approval, notice_svc):
        monkeypatch.setattr(module, "_today", lambda: day)


def build_apps(tree, people):
    """A special-assistance-like programme (no template: no required documents), a village household in
    甲村 (王建国, 李秀英, their son) and one in 乙村, and a second clerk in 甲村."""
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助")
    couple = ProgrammeFactory(
        org_unit=tree.province, created_by=people.admin, name="奖励扶助", target=Target.COUPLE, amount="80.00"
    )
    home_a = family(people.clerk_a, tree.village_a)
    head, spouse, son = list(home_a.members.order_by("pk"))
    clerk_b = user_with_role("village_clerk", tree.village_b, username="clerk_b")
    home_b = family(clerk_b, tree.village_b, address="乙村2号")
    return SimpleNamespace(
        programme=programme,
        couple=couple,
        head=head,
        spouse=spouse,
        son=son,
        other=home_b.members.order_by("pk").first(),
        clerk_b=clerk_b,
        clerk_a2=user_with_role("village_clerk", tree.village_a, username="clerk_a2"),
    )


def submitted(apps, people, person=None, programme=None):
    application, _created = application_svc.application_create(
        actor=people.clerk_a, programme=programme or apps.programme, person=person or apps.head
    )
    return application_svc.application_submit(actor=people.clerk_a, application=application)


# --- the enrolment world ---------------------------------------------------------------------------------

BEREAVED_RULE = {
    "all": [
        {"fact": "special_status", "op": "==", "value": "bereaved"},
        {"fact": "mother_age", "op": ">=", "value": 49},
    ]
}


def special_assistance(tree: Any, people: Any, **kw: Any) -> Programme:
    kw.setdefault("template", "special_assistance")
    return ProgrammeFactory(org_unit=tree.province, created_by=people.admin, rule=BEREAVED_RULE, **kw)


def bereaved_couple(
    people: Any, unit: Any, *, actor: Actor | None = None, address: str = "幸福路1号"
) -> tuple[Person, Person]:
    """A couple (born 1960/1962) whose only child died in 2020: 失独 in the registry."""
    actor = actor or people.clerk_a
    household = family(actor, unit, children=1, address=address)
    members = {p.relation_to_head: p for p in Person.objects.filter(household=household)}
    death_record(actor=actor, person=members["child"], occurred_on=dt.date(2020, 5, 1))
    head, spouse = Person.objects.get(pk=members["head"].pk), Person.objects.get(pk=members["spouse"].pk)
    assert head.special_status == "bereaved"
    return head, spouse


def entitle(
    enrolment: Enrolment,
    period: str,
    *,
    status: str = EntitlementStatus.DUE,
    amount: str = "590.00",
    **kw: Any,
) -> Entitlement:
    """An entitlement in the cycle of `period` (created if needed), written directly."""
    span = parse_period(period, enrolment.programme.period)
    cycle, _ = Cycle.objects.get_or_create(
        programme=enrolment.programme,
        period=period,
        defaults={
            "first_month": span.first,
            "last_month": span.last,
            "generated_by": enrolment.programme.created_by,
            "status": "approved",
        },
    )
    return Entitlement.objects.create(
        cycle=cycle,
        programme=enrolment.programme,
        enrolment=enrolment,
        person=enrolment.person,
        org_unit=enrolment.org_unit,
        period=period,
        months=span.months,
        amount=Decimal(amount),
        status=status,
        **kw,
    )


def cond(fact: str, op: str, value: Any) -> dict:
    """One condition of the rule language."""
    return {"fact": fact, "op": op, "value": value}
