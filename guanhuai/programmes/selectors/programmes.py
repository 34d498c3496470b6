"""Reads of programme definitions: lists and details, rule history, the eligibility preview and the
"eligible but not enrolled" list (应享未享).

Visibility of a programme is by overlap, not containment: anyone with `programmes.view` whose branches
overlap the programme's owning branch sees it. A county user sees the province's programmes (they run
them) and a province user sees a county's local ones. Persons are always read within the actor's
`registry.view_persons` scope, and, for a programme, within its owning branch's subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.core.masking import mask_name
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes import rules
from guanhuai.programmes.models import AmountRule, Application, Enrolment, Programme, RuleVersion
from guanhuai.programmes.permissions import MANAGE_PROGRAMMES, VIEW
from guanhuai.programmes.states import ApplicationStatus, EnrolmentStatus
from guanhuai.registry.models import Person
from guanhuai.registry.permissions import VIEW_PERSONS

SAMPLE_SIZE = 20
OPEN_APPLICATION = [
    ApplicationStatus.DRAFT,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.IN_PUBLIC_NOTICE,
    ApplicationStatus.RETURNED,
]
LIVE_ENROLMENT = [EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED]


# --- programmes ---------------------------------------------------------------------------------------


def visible_q(actor: Actor, perm: str = VIEW) -> Q:
    """Programmes whose owning branch is in the actor's subtrees or above one of their roots."""
    roots = scoping.root_paths(actor, perm)
    if roots is None:
        return Q()
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= Q(org_unit__path__gte=root, org_unit__path__lt=paths.upper_bound(root))
        q |= Q(org_unit__path__in=[*paths.ancestors(root), root])
    return q


def programme_list(*, actor: Actor, active: bool | None = None, q: str = "") -> QuerySet[Programme]:
    qs = Programme.objects.filter(visible_q(actor))
    if active is not None:
        qs = qs.filter(active=active)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(code__contains=text.lower()))
    return qs.select_related("org_unit").order_by("org_unit__path", "code")


def programme_get(*, actor: Actor, id: Any) -> Programme:
    """One visible programme; a missing and a forbidden one read the same."""
    try:
        return Programme.objects.filter(visible_q(actor)).select_related("org_unit", "allocation").get(pk=id)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该扶助项目，或您无权访问。"))


def can_manage(actor: Actor, programme: Programme) -> bool:
    return scoping.can(actor, MANAGE_PROGRAMMES, programme.org_unit)


def amount_history(programme: Programme) -> QuerySet[AmountRule]:
    """Newest first; for one start date, in the order they are tried."""
    return AmountRule.objects.filter(programme=programme).order_by("-valid_from", "priority", "id")


# --- rule display -------------------------------------------------------------------------------------


def _value_text(f: rules.Fact, value: Any) -> str:
    labels = {v: str(label) for v, label in f.choices}
    items = value if isinstance(value, list) else [value]
    shown = []
    for item in items:
        if isinstance(item, bool):
            shown.append(_("是") if item else _("否"))
        else:
            shown.append(labels.get(item, str(item)))
    return _("、").join(shown)


def rule_lines(rule: dict[str, Any], depth: int = 0) -> list[tuple[int, str]]:
    """A rule as indented, readable Chinese lines (for the detail page and the version diff). A rule the
    engine refuses (an old version naming a removed fact) is shown as its JSON, not hidden."""
    if not isinstance(rule, dict):
        return [(depth, str(rule))]
    if not rule:
        return [(depth, _("所有人"))]
    if "all" in rule:
        if not rule["all"]:
            return [(depth, _("所有人"))]
        out = [(depth, _("同时满足："))]
        for child in rule["all"]:
            out += rule_lines(child, depth + 1)
        return out
    if "any" in rule:
        out = [(depth, _("满足其一："))]
        for child in rule["any"]:
            out += rule_lines(child, depth + 1)
        return out
    if "not" in rule:
        return [(depth, _("不满足：")), *rule_lines(rule["not"], depth + 1)]
    f = rules.FACTS.get(str(rule.get("fact")))
    if f is None:
        import json

        return [(depth, json.dumps(rule, ensure_ascii=False))]
    op = str(rules.OP_LABELS.get(rule.get("op", ""), rule.get("op", "")))
    return [(depth, f"{f.label} {op} {_value_text(f, rule.get('value'))}")]


def rule_summary(rule: Any) -> str:
    """One line for a short rule (an amount's condition): "计生特殊家庭 等于 失独；户籍类型 等于 城镇"."""
    if not rule or rule == {"all": []}:
        return _("所有享受对象")
    if isinstance(rule, dict) and set(rule) == {"all"} and all("fact" in c for c in rule["all"]):
        return _("；").join(text for c in rule["all"] for _d, text in rule_lines(c))
    return " ".join(text for _d, text in rule_lines(rule))


@dataclass
class AmountView:
    rule: AmountRule
    condition: str


def amount_history_view(programme: Programme) -> list[AmountView]:
    return [AmountView(a, rule_summary(a.condition)) for a in amount_history(programme)]


@dataclass
class VersionView:
    version: RuleVersion
    lines: list[tuple[int, str, str]]  # (depth, text, "added" | "removed" | "")


def rule_history(programme: Programme) -> list[VersionView]:
    """Every version, newest first, each with its lines marked against the version before it."""
    versions = list(
        RuleVersion.objects.filter(programme=programme).select_related("created_by").order_by("version")
    )
    out: list[VersionView] = []
    previous: list[tuple[int, str]] = []
    for v in versions:
        lines = rule_lines(v.rule)
        before = {text for _d, text in previous}
        now = {text for _d, text in lines}
        marked = [(d, text, "added" if previous and text not in before else "") for d, text in lines]
        marked += [(d, text, "removed") for d, text in previous if text not in now]
        out.append(VersionView(v, marked))
        previous = lines
    return list(reversed(out))


# --- persons: preview and the missed -----------------------------------------------------------------


def persons_in_scope(
    *, actor: Actor, programme: Programme | None = None, perm: str = VIEW_PERSONS
) -> QuerySet[Person]:
    """Persons the actor may see (under `perm`); for a programme, only those in its owning branch's
    subtree."""
    within = programme.org_unit.path if programme is not None else None
    return scoping.mark_scoped(
        Person.objects.filter(scoping.path_q(actor, perm, path_field="org_unit__path", within=within))
    )


@dataclass
class SamplePerson:
    id: int
    name: str  # masked
    sex: str
    birth_year: int
    village: str


@dataclass
class CountyCount:
    code: str
    name: str
    count: int


@dataclass
class Preview:
    as_of: dt.date
    count: int
    sample: list[SamplePerson] = field(default_factory=list)
    by_county: list[CountyCount] = field(default_factory=list)


def by_county(qs: QuerySet[Person]) -> list[CountyCount]:
    """Counts per county-level branch: one GROUP BY on the path prefix of the county's length (one per
    distinct county path length, normally one). Persons outside any county are counted as "其他"."""
    lengths = list(
        OrgUnit.objects.filter(level="county")
        .annotate(n=Length("path"))
        .order_by()
        .values_list("n", flat=True)
        .distinct()
    )
    counts: dict[str, int] = {}
    for n in lengths:
        rows = (
            qs.annotate(_prefix=Substr("org_unit__path", 1, n))
            .order_by()
            .values("_prefix")
            .annotate(_n=Count("id"))
            .values_list("_prefix", "_n")
        )
        for prefix, count in rows:
            counts[prefix] = counts.get(prefix, 0) + count
    counties = {
        u.path: u
        for u in OrgUnit.objects.filter(level="county", path__in=list(counts)).only("path", "code", "name")
    }
    out = [CountyCount(u.code, u.name, counts[p]) for p, u in sorted(counties.items())]
    total = qs.count() if len(lengths) != 1 or len(counties) != len(counts) else None
    if total is not None:
        rest = total - sum(c.count for c in out)
        if rest:
            out.append(CountyCount("", _("其他"), rest))
    return out


def eligibility_preview(
    *, actor: Actor, rule: dict[str, Any], as_of: dt.date, programme: Programme | None = None
) -> Preview:
    """Who a rule (saved or not) would admit on `as_of`, within the actor's scope (and the programme's
    branch, and its age window: rules.age_window): the count, a sample of at most 20 (masked names), and
    the count per county. The rule is validated first: a bad rule raises ValidationError with its position."""
    qs = rules.eligible_for_rule(
        rule, as_of=as_of, persons=persons_in_scope(actor=actor, programme=programme)
    )
    if programme is not None:
        qs = qs.filter(rules.age_window(programme))
    sample = [
        SamplePerson(p.pk, mask_name(p.name), p.get_sex_display(), p.birth_date.year, p.org_unit.name)
        for p in qs.select_related("org_unit")
        .only("pk", "name", "sex", "birth_date", "org_unit__name")
        .order_by("pk")[:SAMPLE_SIZE]
    ]
    counties = by_county(qs)
    count = sum(c.count for c in counties) if counties else qs.count()
    return Preview(as_of=as_of, count=count, sample=sample, by_county=counties)


def eligible_not_enrolled(
    *,
    actor: Actor,
    programme: Programme,
    as_of: dt.date,
    village: OrgUnit | None = None,
    perm: str = VIEW_PERSONS,
) -> QuerySet[Person]:
    """Persons who qualify on `as_of`, in the actor's scope and the programme's branch, with no live
    (active or suspended) enrolment in the programme and no open application for it: the clerks invite
    them. Someone who exited and qualifies again is listed: they may apply again."""
    qs = persons_in_scope(actor=actor, programme=programme, perm=perm)
    if village is not None:
        qs = qs.filter(org_unit__path__gte=village.path, org_unit__path__lt=paths.upper_bound(village.path))
    enrolled = Enrolment.objects.filter(programme=programme, person=OuterRef("pk"), status__in=LIVE_ENROLMENT)
    applied = Application.objects.filter(
        programme=programme, person=OuterRef("pk"), status__in=OPEN_APPLICATION
    )
    return (
        rules.eligible(programme, as_of=as_of, persons=qs)
        .filter(~Exists(enrolled), ~Exists(applied))
        .select_related("org_unit", "household")
        .order_by("org_unit__path", "household_id", "pk")
    )


def village_choices(*, actor: Actor, programme: Programme) -> QuerySet[OrgUnit]:
    """Villages for the 应享未享 filter: in the actor's scope and the programme's subtree."""
    return scoping.units(actor, VIEW_PERSONS, within=programme.org_unit.path).filter(level="village")
