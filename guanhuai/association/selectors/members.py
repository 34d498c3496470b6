"""Reads of part 1 (members, campaigns, bodies, cadres), scoped first through `accounts.scoping`: a row
outside the actor's branches is the same `NotFound` as a missing one.

A county's member list at 5,000,000 members is one indexed range of branch paths joined to the member
table's (org_unit, status) index; the count is the same query without the page (benchmarks measure it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association.models import (
    Body,
    Cadre,
    Campaign,
    CampaignEntry,
    Member,
    MemberGroup,
    MembersDayEvent,
    Registration,
    Seat,
)
from guanhuai.association.permissions import VIEW
from guanhuai.association.states import CampaignStatus, Employment
from guanhuai.orgs import paths
from guanhuai.orgs.models import NON_GEOGRAPHIC_KINDS, Level, OrgUnit


def _within(qs: QuerySet[Any], unit: OrgUnit | None, field: str = "org_unit") -> QuerySet[Any]:
    if unit is None:
        return qs
    return qs.filter(**{f"{field}__path__gte": unit.path, f"{field}__path__lt": paths.upper_bound(unit.path)})


def member_list(
    *, actor: Actor, unit: OrgUnit | None = None, status: str = "", q: str = "", kind: str = ""
) -> QuerySet[Member]:
    """Members of the actor's branches (below `unit`), newest card first; `q` matches name or card."""
    qs = _within(scoping.scope(Member.objects.all(), actor, VIEW), unit)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__startswith=q) | Q(card_no=q))
    return qs.select_related("org_unit").order_by("-pk")


def member_get(*, actor: Actor, member_id: Any) -> Member:
    return scoping.get_or_404(
        Member.objects.select_related("org_unit", "group", "transferred_from__org_unit"),
        actor,
        VIEW,
        pk=member_id,
    )


def member_history(member: Member) -> list[Member]:
    """The chain of a member's rows through transfers, oldest first (each row is one branch's record). The
    rows of the branches the member left or joined are part of this member's own record (their branch
    and dates), so they are read across branches from a member the actor may see."""
    members = Member.objects.unscoped("a visible member's own rows through transfers")
    chain = [member]
    back = member.transferred_from
    while back is not None and len(chain) < 50:
        chain.insert(0, back)
        back = (
            members.select_related("org_unit").filter(pk=back.transferred_from_id).first()
            if back.transferred_from_id is not None
            else None
        )
    forward = members.select_related("org_unit").filter(transferred_from=member).first()
    while forward is not None and len(chain) < 50:
        chain.append(forward)
        forward = members.select_related("org_unit").filter(transferred_from=forward).first()
    return chain


def group_list(*, actor: Actor, unit: OrgUnit) -> QuerySet[MemberGroup]:
    return (
        scoping.scope(MemberGroup.objects.filter(org_unit=unit), actor, VIEW)
        .select_related("leader")
        .annotate(size=Count("members", filter=Q(members__status="active")))
        .order_by("name")
    )


def group_get(*, actor: Actor, group_id: Any) -> MemberGroup:
    return scoping.get_or_404(
        MemberGroup.objects.select_related("org_unit", "leader"), actor, VIEW, pk=group_id
    )


def members_day_list(*, actor: Actor, unit: OrgUnit | None = None) -> QuerySet[MembersDayEvent]:
    return _within(scoping.scope(MembersDayEvent.objects.all(), actor, VIEW), unit).select_related("org_unit")


# --- campaigns -------------------------------------------------------------------------------------------------


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    """Campaigns over a branch the actor sees, and those over an ancestor of one (a village chair sees the
    city's campaign, which covers the village)."""
    roots = scoping.root_paths(actor, VIEW)
    qs = Campaign.objects.select_related("org_unit")
    if roots is None:
        return qs
    ancestors = {a for r in roots for a in paths.ancestors(r)}
    # Visible up the tree as well: a county's campaign is worked by its villages (scoping's path_q, widened).
    return scoping.mark_scoped(
        qs.filter(scoping.path_q(actor, VIEW, path_field="org_unit__path") | Q(org_unit__path__in=ancestors))
    )


def campaign_get(*, actor: Actor, campaign_id: Any) -> Campaign:
    from guanhuai.core.errors import NotFound

    try:
        return campaign_list(actor=actor).get(pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound(_not_found()) from None


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("未找到该记录，或您无权访问。")


@dataclass(frozen=True)
class VillageProgress:
    unit_id: int
    name: str
    total: int
    confirmed: int
    # On the grouped page: the row is a branch with villages below it (drill down), not a village's roll.
    drill: bool = False

    @property
    def percent(self) -> int:
        return int(self.confirmed * 100 / self.total) if self.total else 100


def campaign_progress(*, actor: Actor, campaign: Campaign) -> list[VillageProgress]:
    """Per village: how many members are on the roll and how many it has confirmed (one grouped query)."""
    rows = (
        scoping.scope(CampaignEntry.objects.filter(campaign=campaign), actor, VIEW)
        .values("org_unit_id", "org_unit__name", "org_unit__path")
        .annotate(total=Count("pk"), confirmed=Count("confirmed_at"))
        .order_by("org_unit__path")
    )
    return [VillageProgress(r["org_unit_id"], r["org_unit__name"], r["total"], r["confirmed"]) for r in rows]


def campaign_progress_below(
    *, actor: Actor, campaign: Campaign, within: OrgUnit | None = None
) -> list[VillageProgress]:
    """The campaign page's progress, one level at a time so that it is short on a phone: per branch
    directly below `within` (the campaign's branch by default), each counting its whole subtree, in one
    grouped query. A row for a township drills down to its villages; a village's row opens its roll."""
    top = within or campaign.org_unit
    width = len(top.path) + paths.SEGMENT
    rows = (
        _within(scoping.scope(CampaignEntry.objects.filter(campaign=campaign), actor, VIEW), top)
        .annotate(branch=Substr("org_unit__path", 1, width))
        .values("branch")
        .annotate(total=Count("pk"), confirmed=Count("confirmed_at"))
        .order_by("branch")
    )
    counts = {r["branch"]: (r["total"], r["confirmed"]) for r in rows}
    units = {u.path: u for u in OrgUnit.objects.filter(path__in=counts).only("pk", "name", "path", "level")}
    out = []
    for branch, (total, confirmed) in counts.items():
        unit = units.get(branch, top)
        drill = unit.pk != top.pk and unit.level != Level.VILLAGE
        out.append(VillageProgress(unit.pk, unit.name, total, confirmed, drill=drill))
    return out


def campaign_roll(*, actor: Actor, campaign: Campaign, village: OrgUnit) -> QuerySet[CampaignEntry]:
    """A village's roll in a campaign, for its chair to confirm (member name and card, no ID number)."""
    scoping.require(actor, VIEW, village)
    return (
        scoping.scope(CampaignEntry.objects.filter(campaign=campaign, org_unit=village), actor, VIEW)
        .select_related("member")
        .order_by("confirmed_at", "member__name", "pk")
    )


def campaign_entries_to_confirm(*, actor: Actor, perm: str) -> QuerySet[CampaignEntry]:
    """Unconfirmed entries of open campaigns still before their deadline, in the actor's branches (the work
    queue counts them; after the deadline a confirmation is refused, so they are no longer work)."""
    return scoping.scope(
        CampaignEntry.objects.filter(
            campaign__status=CampaignStatus.OPEN,
            campaign__deadline__gte=timezone.localdate(),
            confirmed_at__isnull=True,
        ),
        actor,
        perm,
    )


def campaigns_to_close(*, actor: Actor, perm: str) -> QuerySet[Campaign]:
    """Open campaigns past their deadline that the actor's branches ran: closing one lapses its unconfirmed
    members, and nothing else does it (the work queue shows them to whoever may close them)."""
    return scoping.scope(
        Campaign.objects.filter(status=CampaignStatus.OPEN, deadline__lt=timezone.localdate()), actor, perm
    )


# --- registration and bodies ---------------------------------------------------------------------------------


def registration_get(*, actor: Actor, unit: OrgUnit) -> Registration | None:
    return scoping.scope(Registration.objects.filter(org_unit=unit), actor, VIEW).first()


def body_list(*, actor: Actor, unit: OrgUnit) -> QuerySet[Body]:
    """A branch's bodies, every term, newest first, with their seats (who held which post when)."""
    scoping.require(actor, VIEW, unit)
    bodies = scoping.scope(Body.objects.filter(org_unit=unit), actor, VIEW)
    return bodies.prefetch_related("seats").order_by("kind", "-term")


def body_get(*, actor: Actor, body_id: Any) -> Body:
    return scoping.get_or_404(Body.objects.select_related("org_unit"), actor, VIEW, pk=body_id)


def seat_get(*, actor: Actor, seat_id: Any) -> Seat:
    return scoping.get_or_404(Seat.objects.select_related("org_unit", "body"), actor, VIEW, pk=seat_id)


def association_list(*, actor: Actor, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The enterprise, migrant and school associations below a branch."""
    return scoping.units(actor, VIEW, within=unit.path).filter(kind__in=NON_GEOGRAPHIC_KINDS).order_by("path")


# --- cadres ----------------------------------------------------------------------------------------------------


def cadre_list(*, actor: Actor, unit: OrgUnit | None = None, current: bool = True) -> QuerySet[Cadre]:
    qs = _within(scoping.scope(Cadre.objects.all(), actor, VIEW), unit).select_related("org_unit")
    if current:
        qs = qs.filter(left_on__isnull=True)
    return qs.order_by("org_unit__path", "appointed_on", "pk")


def cadre_get(*, actor: Actor, cadre_id: Any) -> Cadre:
    return scoping.get_or_404(Cadre.objects.select_related("org_unit"), actor, VIEW, pk=cadre_id)


@dataclass(frozen=True)
class Turnover:
    unit_id: int
    name: str
    at_start: int
    appointed: int
    left: int

    @property
    def rate(self) -> float | None:
        """Cadres who left in the year per cadre in post on 1 January (None without any)."""
        return round(self.left * 100 / self.at_start, 1) if self.at_start else None


def cadre_turnover(*, actor: Actor, unit: OrgUnit, year: int) -> list[Turnover]:
    """Turnover in `year` for each branch directly below `unit` (each counting its whole subtree) and for
    `unit` itself as the last row: cadres in post on 1 January, appointed and left during the year. One
    grouped query: a child's subtree is the first segments of a cadre's branch path."""
    scoping.require(actor, VIEW, unit)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cut = len(unit.path) + paths.SEGMENT
    rows = (
        scoping.scope(_within(Cadre.objects.all(), unit), actor, VIEW)
        .annotate(branch=Substr("org_unit__path", 1, cut))
        .values("branch")
        .annotate(
            at_start=Count(
                "pk", filter=Q(appointed_on__lt=start) & (Q(left_on__isnull=True) | Q(left_on__gte=start))
            ),
            appointed=Count("pk", filter=Q(appointed_on__gte=start, appointed_on__lte=end)),
            left=Count("pk", filter=Q(left_on__gte=start, left_on__lte=end)),
        )
        .order_by("branch")
    )
    counts = {r["branch"]: r for r in rows}
    out: list[Turnover] = []
    for child in scoping.units(actor, VIEW, within=unit.path).filter(parent=unit).order_by("path"):
        r = counts.get(child.path, {})
        t = Turnover(child.pk, child.name, r.get("at_start", 0), r.get("appointed", 0), r.get("left", 0))
        out.append(t)
    totals = [*counts.values()]
    total = Turnover(
        unit.pk,
        unit.name,
        sum(r["at_start"] for r in totals),
        sum(r["appointed"] for r in totals),
        sum(r["left"] for r in totals),
    )
    out.append(total)
    return out


def townships_without_full_time_cadre(*, actor: Actor, perm: str) -> QuerySet[OrgUnit]:
    """Open geographic townships in the actor's scope with no full-time cadre in post (the county's work)."""
    in_post = Cadre.objects.filter(
        org_unit=OuterRef("pk"), employment=Employment.FULL_TIME, left_on__isnull=True
    )
    return (
        scoping.units(actor, perm)
        .filter(level=Level.TOWNSHIP, closed_on__isnull=True)
        .exclude(kind__in=NON_GEOGRAPHIC_KINDS)
        .filter(~Exists(in_post))
        .order_by("path")
    )


def member_counts(*, actor: Actor, unit: OrgUnit) -> dict[str, int]:
    """Members by status in a branch's subtree (its statistics count the enterprise and migrant
    associations below it, since they are branches of its subtree)."""
    members = _within(scoping.scope(Member.objects.all(), actor, VIEW), unit)
    rows = members.values("status").annotate(n=Count("pk")).order_by()
    return {r["status"]: r["n"] for r in rows}


def person_by_id_number(*, actor: Actor, number: str) -> Any:
    """The registry person with this resident ID (checked, by blind index) living in the actor's branches;
    one outside them is the same `NotFound` as an unknown number."""
    from django.utils.translation import gettext as _

    from guanhuai.core.errors import NotFound
    from guanhuai.core.validators import parse_resident_id
    from guanhuai.registry.models import Person
    from guanhuai.registry.services import id_lookup_key

    rid = parse_resident_id(number)
    found = scoping.scope(Person.objects.filter(id_index=id_lookup_key(rid.number)), actor, VIEW).first()
    if found is None:
        raise NotFound(
            _("户籍库中没有身份证号为 %(id)s 的人员，或不在您的辖区内。")
            % {"id": rid.number[:6] + "********" + rid.number[-4:]},
            code="id_number",
        )
    return found
