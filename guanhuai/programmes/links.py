"""What programmes shows on a person's page (core/links.py): the person's applications, enrolments and
payments, each linked to its page, and "申请扶助" for each programme the person qualifies for today and has
no open application or enrolment in. Only what the actor may see, through scoping; a fixed number of
queries for the rows, and two per programme offered for "申请扶助" (its rule and the person against it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import DomainError
from guanhuai.core.links import Link, register
from guanhuai.programmes import rules
from guanhuai.programmes.models import Application, Enrolment, Entitlement, Programme
from guanhuai.programmes.periods import month_label
from guanhuai.programmes.permissions import APPLY, VIEW
from guanhuai.programmes.selectors.programmes import visible_q
from guanhuai.programmes.services.application_common import LIVE_ENROLMENT, OPEN_STATUSES, _today
from guanhuai.programmes.states import Step
from guanhuai.registry.models import Person


def _qualifies(programme: Programme, person: Person) -> bool:
    try:
        return rules.eligible(programme, as_of=_today(), persons=Person.objects.filter(pk=person.pk)).exists()
    except DomainError:  # a programme without a rule yet: not offered
        return False


@register("registry.person", key="programmes.person", order=100)
def person_links(actor: Actor, person: Person) -> Iterable[Link]:
    applications = list(
        scoping.scope(Application.objects.filter(person=person), actor, VIEW)
        .select_related("programme")
        .order_by("-created_at")
    )
    steps = dict(Step.choices)
    for a in applications:
        state = a.get_status_display()
        if a.step and a.status in OPEN_STATUSES:
            state = f"{state} · {steps.get(a.step, a.step)}"
        yield Link(
            label=a.programme.name,
            url=reverse("programmes:application_detail", args=[a.pk]),
            group=_("扶助申请"),
            detail=state,
        )
    enrolments = list(
        scoping.scope(Enrolment.objects.filter(person=person), actor, VIEW)
        .select_related("programme")
        .order_by("-start_month")
    )
    for e in enrolments:
        yield Link(
            label=e.programme.name,
            url=reverse("programmes:enrolment_detail", args=[e.pk]),
            group=_("享受项目"),
            detail=_("%(status)s · 自%(month)s起")
            % {"status": e.get_status_display(), "month": month_label(e.start_month)},
        )
    if enrolments or scoping.scope(Entitlement.objects.filter(person=person), actor, VIEW).exists():
        yield Link(
            label=_("发放记录"),
            url=reverse("programmes:payment_history", args=[person.pk]),
            group=_("发放记录"),
            detail=_("每期应发金额和发放结果"),
        )
    if person.died_on is not None or not scoping.can(actor, APPLY, person.org_unit):
        return
    busy = {a.programme_id for a in applications if a.status in OPEN_STATUSES} | {
        e.programme_id for e in enrolments if e.status in LIVE_ENROLMENT
    }
    candidates = Programme.objects.filter(visible_q(actor, APPLY), active=True).exclude(pk__in=busy)
    for programme in candidates.order_by("name"):
        if _qualifies(programme, person):
            query = urlencode({"person": person.pk, "programme": programme.pk})
            yield Link(
                label=_("申请扶助：%(programme)s") % {"programme": programme.name},
                url=f"{reverse('programmes:application_create')}?{query}",
                group=_("扶助申请"),
                action=True,
            )
