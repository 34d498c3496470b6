"""Reads of the registry. Every query starts from `scoping.scope(..., VIEW_PERSONS)` on the person's or
household's branch. Lists show masked values only; full values come from services.person_unmask."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.core.text import pinyin_mixed_readings
from guanhuai.core.validators import parse_resident_id
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import (
    BankAccount,
    Consent,
    Household,
    LifeEvent,
    Marriage,
    ParentChild,
    Person,
    TransferRequest,
)
from guanhuai.registry.permissions import EDIT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services import id_lookup_key

ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
# A full ID number searched for through a URL travels as its blind index ("idx_" + key), never in clear.
ID_TOKEN = re.compile(r"^idx_[0-9a-f]{16,128}$")
PINYIN_LIKE = re.compile(r"^[a-zA-Z]+$")


@dataclass
class PersonFilters:
    q: str = ""
    unit: OrgUnit | None = None
    hukou_type: str = ""
    special_status: str = ""
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None
    migrant: bool | None = None
    alive: bool | None = True
    order: str = "name"


ORDERINGS = {
    "name": ("name_pinyin", "pk"),
    "-name": ("-name_pinyin", "-pk"),
    "birth": ("birth_date", "pk"),
    "-birth": ("-birth_date", "-pk"),
    "unit": ("org_unit__path", "household_id", "pk"),
    "recent": ("-pk",),
}


def _prefix_range(field: str, prefix: str) -> Q:
    """An index-friendly prefix match for lowercase ASCII keys: [prefix, prefix with its last letter + 1)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def id_search_token(q: str) -> str:
    """What a search term becomes in a URL: a full ID number is replaced by its blind-index token (so it
    never reaches server logs or browser history); anything else stays as typed."""
    q = (q or "").strip()
    if not ID_LIKE.match(q):
        return q
    try:
        number = parse_resident_id(q).number
    except ValidationError:
        number = q  # tokenised as typed: a wrong number finds nothing, and it stays out of the URL too
    return "idx_" + id_lookup_key(number)


def search_q(q: str) -> Q:
    """Name search: Chinese characters match the name; ASCII letters match full pinyin, initials, or any
    mix of full syllables and initials (zhangf, zf, wangxy → 王秀英; core.text.pinyin_mixed_readings); an
    ID number matches exactly through the blind index. This is the one place the search's query shape
    lives (docs/registry.md, "Finding people")."""
    q = q.strip()
    if not q:
        return Q()
    if ID_TOKEN.match(q):
        return Q(id_index=q[4:])
    if ID_LIKE.match(q):
        try:
            number = parse_resident_id(q).number
        except ValidationError:
            return Q(pk__in=[])
        return Q(id_index=id_lookup_key(number))
    if PINYIN_LIKE.match(q):
        key = q.lower()
        hits = _prefix_range("name_pinyin", key) | _prefix_range("name_initials", key)
        for initials, pattern in pinyin_mixed_readings(key):
            # Indexed ranges first: the initials (wxy) and the pattern's literal head on the full pinyin
            # (^wangx… → [wangx, wangy)); the pattern then checks only the few names inside both.
            arm = _prefix_range("name_initials", initials)
            head = pattern[1:].split("[", 1)[0]
            if len(head) > 1:
                arm &= _prefix_range("name_pinyin", head)
            hits |= arm & Q(name_pinyin__regex=pattern)
        if connection.vendor == "postgresql":
            # Every hit's full pinyin starts with the key's first letter (the initials are the first
            # letters of the same syllables), so this range changes no result (tests/test_search_parity.py
            # runs on both databases). It gives PostgreSQL a bound for the page sorted by name, which it
            # otherwise walked from "a" looking for 50 hits (zf: 1.4 s at 200,000 persons), and a range
            # per village for the count. SQLite answers the plain OR faster from its two per-village
            # indexes, and with the bound chose a worse plan (zf: 19 → 257 ms; benchmarks/README.md).
            return _prefix_range("name_pinyin", key[0]) & hits
        return hits
    return Q(name__startswith=q) if len(q) == 1 else Q(name__contains=q)


def person_list(
    *, actor: Actor, filters: PersonFilters | None = None, perm: str = VIEW_PERSONS
) -> QuerySet[Person]:
    f = filters or PersonFilters()
    if f.unit is not None:
        qs = scoping.mark_scoped(
            Person.objects.filter(
                scoping.path_q(actor, perm, path_field="org_unit__path", within=f.unit.path)
            )
        )
    else:
        qs = scoping.scope(Person.objects.all(), actor, perm)
    qs = qs.filter(search_q(f.q))
    if f.hukou_type:
        qs = qs.filter(hukou_type=f.hukou_type)
    if f.special_status:
        qs = qs.filter(special_status=f.special_status)
    if f.sex:
        qs = qs.filter(sex=f.sex)
    today = timezone.localdate()
    if f.age_min is not None:
        qs = qs.filter(birth_date__lte=_years_before(today, f.age_min))
    if f.age_max is not None:
        qs = qs.filter(birth_date__gt=_years_before(today, f.age_max + 1))
    if f.migrant is not None:
        qs = qs.filter(is_migrant=f.migrant)
    if f.alive is True:
        qs = qs.filter(died_on__isnull=True)
    elif f.alive is False:
        qs = qs.filter(died_on__isnull=False)
    return qs.select_related("org_unit", "household").order_by(*ORDERINGS.get(f.order, ORDERINGS["name"]))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def person_get(*, actor: Actor, person_id: Any, perm: str = VIEW_PERSONS) -> Person:
    return scoping.get_or_404(
        Person.objects.select_related("org_unit", "household", "residence_unit"), actor, perm, pk=person_id
    )


def person_by_id_number(*, actor: Actor, id_number: str) -> Person | None:
    """Exact lookup through the blind index; None if absent or outside scope (indistinguishable)."""
    number = parse_resident_id(id_number).number
    return (
        scoping.scope(Person.objects.all(), actor, VIEW_PERSONS)
        .filter(id_index=id_lookup_key(number))
        .first()
    )


def household_list(*, actor: Actor, unit: OrgUnit | None = None, q: str = "") -> QuerySet[Household]:
    if unit is not None:
        qs = scoping.mark_scoped(
            Household.objects.filter(
                scoping.path_q(actor, VIEW_PERSONS, path_field="org_unit__path", within=unit.path)
            )
        )
    else:
        qs = scoping.scope(Household.objects.all(), actor, VIEW_PERSONS)
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(number=q) | Q(head__in=Person.objects.filter(search_q(q))))
    return qs.select_related("org_unit", "head").order_by("org_unit__path", "pk")


def household_get(*, actor: Actor, household_id: Any, perm: str = VIEW_PERSONS) -> Household:
    return scoping.get_or_404(
        Household.objects.select_related("org_unit", "head").prefetch_related(
            Prefetch("members", queryset=Person.objects.order_by("birth_date"))
        ),
        actor,
        perm,
        pk=household_id,
    )


@dataclass
class FamilyTree:
    person: Person
    parents: list[tuple[Person, str]]
    spouses: list[tuple[Person, Marriage]]
    children: list[tuple[Person, str]]


def family_tree(*, actor: Actor, person: Person) -> FamilyTree:
    """Parents, spouses and children of a person already read through scoping. Relatives outside the actor's
    scope are left out (a grown child in another county shows as a count, not a name: see
    `hidden_relatives`): the links are the person's own (`parent_links`, `child_links`) narrowed to
    relatives in scope, and a marriage is listed when both spouses are in scope."""
    visible = scoping.scope(Person.objects.all(), actor, VIEW_PERSONS)
    parents = [
        (link.parent, link.get_basis_display())
        for link in person.parent_links.filter(parent__in=visible).select_related("parent")
    ]
    children = [
        (link.child, link.get_basis_display())
        for link in person.child_links.filter(child__in=visible)
        .select_related("child")
        .order_by("child__birth_date")
    ]
    both_seen = scoping.path_q(actor, VIEW_PERSONS, path_field="a__org_unit__path") & scoping.path_q(
        actor, VIEW_PERSONS, path_field="b__org_unit__path"
    )
    marriages = (
        scoping.mark_scoped(Marriage.objects.filter(Q(a=person) | Q(b=person)).filter(both_seen))
        .select_related("a", "b")
        .order_by("married_on")
    )
    spouses = [(m.b if m.a_id == person.pk else m.a, m) for m in marriages]
    return FamilyTree(person=person, parents=parents, spouses=spouses, children=children)


def hidden_relatives(*, actor: Actor, person: Person) -> int:
    """How many of a person's parents and children lie outside the actor's scope: a count across branches on
    purpose (the page says "2 relatives elsewhere"), never their names."""
    visible = scoping.scope(Person.objects.all(), actor, VIEW_PERSONS)
    return (
        ParentChild.objects.unscoped("a count of a person's relatives outside the actor's scope, no names")
        .filter(Q(parent=person) | Q(child=person))
        .exclude(Q(parent__in=visible) & Q(child__in=visible))
        .count()
    )


def event_list(*, actor: Actor, person: Person) -> QuerySet[LifeEvent]:
    return person.events.select_related("related_person", "to_unit", "recorded_by").order_by(
        "-occurred_on", "-pk"
    )


def transfer_inbox(*, actor: Actor) -> QuerySet[TransferRequest]:
    """Requests for people held in the actor's branches, to approve or refuse."""
    return scoping.scope(
        TransferRequest.objects.filter(status=TransferRequest.Status.OPEN),
        actor,
        EDIT_PERSONS,
        unit_field="person__org_unit",
    ).select_related("person", "to_unit", "requested_by")


def transfer_outbox(*, actor: Actor) -> QuerySet[TransferRequest]:
    """Requests the actor's branches sent: the status only, never where the person was."""
    return scoping.scope(
        TransferRequest.objects.all(), actor, EDIT_PERSONS, unit_field="to_unit"
    ).select_related("to_unit")


# --- pickers and single rows for the staff pages ----------------------------------------------------

UNIT_PICKER_LIMIT = 300


def unit_picker(*, actor: Actor, perm: str = VIEW_PERSONS, limit: int = UNIT_PICKER_LIMIT) -> list[OrgUnit]:
    """Township and village units the actor may filter by, in tree order. More than `limit` of them (a
    county or province user) and the page asks for a division code instead: returns `limit + 1` rows so
    the caller can tell."""
    return list(
        scoping.units(actor, perm)
        .filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])
        .only("pk", "code", "name", "level", "path")
        .order_by("path")[: limit + 1]
    )


def village_choices(*, actor: Actor, perm: str = EDIT_PERSONS) -> QuerySet[OrgUnit]:
    """Open village-level units where the actor may register households: the choices of the household
    forms' branch field (orgs.forms.UnitChoiceField), which searches with the same selector."""
    return org_selectors.branch_choices(actor=actor, perm=perm, levels=[Level.VILLAGE])


def consent_get(*, actor: Actor, consent_id: Any, perm: str = VIEW_PERSONS) -> Consent:
    return scoping.get_or_404(
        Consent.objects.select_related("person", "person__org_unit"),
        actor,
        perm,
        unit_field="person__org_unit",
        pk=consent_id,
    )


def transfer_get(*, actor: Actor, request_id: Any) -> TransferRequest:
    """One request held in the actor's branches (the inbox side); others give 404."""
    return scoping.get_or_404(
        TransferRequest.objects.select_related("person", "person__org_unit", "to_unit"),
        actor,
        EDIT_PERSONS,
        unit_field="person__org_unit",
        pk=request_id,
    )


def bank_account_get(*, actor: Actor, person: Person) -> BankAccount | None:
    """The person's bank account (shown masked), for a person already fetched through `person_get`."""
    return (
        BankAccount.objects.filter(person=person)
        .unscoped("the account of a person read through scoping")
        .first()
    )


def consent_in_force(*, purpose: str, person_ref: str, on: dt.date | None = None) -> Exists:
    """Whether the person at `person_ref` (a path from the outer query, e.g. "household__head") has a consent
    for `purpose` given on or before `on` (today) and not withdrawn by then: an `Exists` for the selectors of
    apps above that show something only with consent (a withdrawal dated today already counts). Reads no
    person: the outer query was scoped, or is a public list that needs the consent to show a row at all."""
    day = on or timezone.localdate()
    return Exists(
        Consent.objects.unscoped("a consent check of a row the outer query chose")
        .filter(person=OuterRef(person_ref), purpose=purpose, given_on__lte=day)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
    )


def consent_list(*, actor: Actor, person: Person) -> QuerySet[Consent]:
    return person.consents.select_related("recorded_by").order_by("-given_on", "-pk")


# --- persons and households named in a request body ---------------------------------------------------


def person_ref(*, actor: Actor, person_id: Any, perm: str = VIEW_PERSONS) -> Person:
    """A person named in the input (a spouse, a parent), not in the URL: unknown or outside the scope is a
    422 about that input, worded the same for both."""
    try:
        return person_get(actor=actor, person_id=person_id, perm=perm)
    except NotFound:
        raise ValidationError(
            _("指定的人员（编号 %(id)s）不存在，或您无权操作。") % {"id": person_id}, code="unknown_person"
        )


def household_ref(*, actor: Actor, household_id: Any, perm: str = VIEW_PERSONS) -> Household:
    """A household named in the input (the target of a move): like `person_ref`, a 422."""
    try:
        return scoping.get_or_404(Household.objects.select_related("org_unit"), actor, perm, pk=household_id)
    except NotFound:
        raise ValidationError(
            _("指定的户（编号 %(id)s）不存在，或您无权操作。") % {"id": household_id},
            code="unknown_household",
        )


def visible_person_ids(*, actor: Actor, person_ids: Any) -> set[int]:
    """Which of these persons the actor may see: relatives named in events are shown only then."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return set()
    return set(
        scoping.scope(Person.objects.filter(pk__in=ids), actor, VIEW_PERSONS).values_list("pk", flat=True)
    )


def household_members(*, actor: Actor, household: Household, living: bool = False) -> QuerySet[Person]:
    """Members of a household already fetched through `household_get`: the head first, then by age."""
    qs = household.members.all()  # reached from the household, itself read through scoping
    if living:
        qs = qs.filter(died_on__isnull=True)
    return qs.order_by(
        Case(When(relation_to_head="head", then=Value(0)), default=Value(1), output_field=IntegerField()),
        "birth_date",
        "pk",
    )


def current_spouse(person: Person) -> Person | None:
    """The person's spouse in the marriage not ended (the newest, should the records hold two), as the
    programmes' spouse facts read it; None when unmarried, widowed or divorced."""
    marriage = (
        Marriage.objects.unscoped(
            "a person's marriage in force, wherever the spouse lives (the rules read it)"
        )
        .filter(Q(a=person) | Q(b=person), ended_on__isnull=True)
        .select_related("a", "b")
        .order_by("-married_on", "-id")
        .first()
    )
    if marriage is None:
        return None
    return marriage.b if marriage.a_id == person.pk else marriage.a
