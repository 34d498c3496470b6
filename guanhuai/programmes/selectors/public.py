"""What the public portal (阳光计生) may read of the programmes: village public notices (公示) during their
notice period, and a short while after, with masked rows only. No actor: the portal reads them for a site's
branch and everything below it, and shows them to anyone.

What leaves this module is the minimum the law asks a notice to show (DESIGN.md, Privacy): the surname and
a mask, the village, the amount per period, the programme, and how and until when to object. Never an ID,
an account, a full name or an internal id: a notice and each of its rows are named by `public_ref`, a keyed
hash, so a visitor can name the row they object to without learning (or walking) our ids.

A notice is public from its first day until `grace_days` after its last day, whether or not the village
has closed it yet; objections are taken only up to its last day (`services.notices.notice_takes_objections`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from guanhuai.core.errors import NotFound
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes.models import Objection, PublicNotice
from guanhuai.programmes.selectors.applications import how_to_object, notice_rows
from guanhuai.programmes.states import ApplicationStatus, NoticeStatus, ObjectionChannel, ObjectionIdentity

_SALT = "guanhuai.programmes.public"


def public_ref(kind: str, pk: int) -> str:
    """A notice's or a row's public name: 12 hex characters of a keyed hash. Stable for the same secret
    key; says nothing about the id, and cannot be guessed for another one."""
    return salted_hmac(_SALT, f"{kind}:{pk}").hexdigest()[:12]


@dataclass(frozen=True)
class PublicRow:
    ref: str
    name: str  # surname + mask (张**), both spouses for a couple
    village: str
    amount: Decimal | None
    unit: str  # "/月"


@dataclass
class PublicNoticeView:
    pk: int  # for the objection service only; never shown
    ref: str
    title: str
    programme: str
    legal_basis: str
    village: str
    opens_on: dt.date
    closes_on: dt.date
    entries: int  # rows named (applications still proposed)
    takes_objections: bool
    identity_required: bool
    how_to_object: str
    rows: list[PublicRow] = field(default_factory=list)


def _visible(unit_path: str, today: dt.date, grace_days: int) -> QuerySet[PublicNotice]:
    return (
        PublicNotice.objects.unscoped("public notices are public: the portal shows them to anyone")
        .filter(
            org_unit__path__startswith=unit_path,
            opens_on__lte=today,
            closes_on__gte=today - dt.timedelta(days=grace_days),
        )
        .select_related("programme", "org_unit", "org_unit__parent")
    )


def _view(notice: PublicNotice, today: dt.date, *, entries: int, rows: list[PublicRow]) -> PublicNoticeView:
    return PublicNoticeView(
        pk=notice.pk,
        ref=public_ref("notice", notice.pk),
        title=notice.title,
        programme=notice.programme.name,
        legal_basis=notice.programme.legal_basis,
        village=notice.org_unit.name,
        opens_on=notice.opens_on,
        closes_on=notice.closes_on,
        entries=entries,
        takes_objections=notice.status == NoticeStatus.OPEN and today <= notice.closes_on,
        identity_required=notice.programme.objection_identity == ObjectionIdentity.REQUIRED,
        how_to_object=how_to_object(notice),
        rows=rows,
    )


def public_notice_list(
    *, unit: OrgUnit, grace_days: int, today: dt.date | None = None
) -> list[PublicNoticeView]:
    """The notices of `unit` and its subtree that the public may see today, newest first, without rows
    (the list page shows how many entries each names). Two queries whatever the number of notices."""
    today = today or timezone.localdate()
    notices = list(
        _visible(unit.path, today, grace_days)
        .annotate(
            n=Count(
                "applications",
                filter=~Q(applications__status__in=[ApplicationStatus.WITHDRAWN, ApplicationStatus.RETURNED]),
            )
        )
        .order_by("-opens_on", "org_unit__path", "pk")
    )
    return [_view(n, today, entries=getattr(n, "n", 0), rows=[]) for n in notices]


def public_notice_get(
    *, unit: OrgUnit, ref: str, grace_days: int, today: dt.date | None = None
) -> PublicNoticeView:
    """One public notice by its public name, with its masked rows. A notice outside the window (not yet
    open, or past its last day plus the grace period), outside the site's branch, or unknown: the same 404."""
    today = today or timezone.localdate()
    for notice in _visible(unit.path, today, grace_days):
        if public_ref("notice", notice.pk) == ref:
            rows = notice_rows(notice)
            public_rows = [
                PublicRow(
                    ref=public_ref("row", r.application_id),
                    name=r.name,
                    village=r.village,
                    amount=r.amount,
                    unit=r.unit,
                )
                for r in rows
            ]
            return _view(notice, today, entries=len(public_rows), rows=public_rows)
    raise NotFound(_("该公示不存在或已结束。"))


def public_notice_figures(*, unit: OrgUnit, start: dt.date, end: dt.date) -> dict[str, int]:
    """Counts for a public report (the association's annual report): notices opened in [start, end] in
    `unit`'s subtree, the entries they named, and the objections received (of them, online). Counts only:
    nothing about a person. Two queries."""
    notices = PublicNotice.objects.unscoped("counts of public notices for a public report").filter(
        org_unit__path__startswith=unit.path, opens_on__gte=start, opens_on__lte=end
    )
    figures = notices.aggregate(
        notices=Count("pk", distinct=True), entries=Count("applications", distinct=True)
    )
    objections = (
        Objection.objects.unscoped("counts of objections for a public report")
        .filter(notice__in=notices)
        .aggregate(objections=Count("pk"), online=Count("pk", filter=Q(channel=ObjectionChannel.ONLINE)))
    )
    return {k: int(v or 0) for k, v in {**figures, **objections}.items()}
