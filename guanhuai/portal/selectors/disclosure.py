"""What the 阳光计生 disclosure pages show, read through the other apps' public selectors and nothing
else: programmes' public notices (`programmes.selectors.public`), the funds' disclosure
(`funds.selectors.disclosure_summary`), and the portal's own published articles. Each is about the site's
branch and every branch below it. No actor: what is read here is what the law says the public may see,
already masked by its owner.

Projects (`projects.selectors.project_disclosure`, for the projects this module chooses as public) and the
villages' filed charters and village rules and assembly results (`governance.selectors.published_documents`,
`version_clauses`, `published_results`) are read here too, for the site's branch and below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.core.money import ZERO
from guanhuai.funds.selectors import disclosure_summary
from guanhuai.governance import selectors as governance
from guanhuai.governance.states import DocumentKind, Rating
from guanhuai.orgs.models import Level
from guanhuai.portal.models import Article, Column, Site
from guanhuai.portal.permissions import PUBLISH
from guanhuai.portal.selectors.public import WHY, public_q
from guanhuai.programmes.selectors import public as programmes_public
from guanhuai.projects.models import Project
from guanhuai.projects.selectors import happy_families_public, project_disclosure, project_disclosures
from guanhuai.projects.states import ProjectStatus

# How many past years the funds page offers (the current one first).
FUND_YEARS = 6


def grace_days() -> int:
    return int(getattr(settings, "GUANHUAI_PORTAL_NOTICE_GRACE_DAYS", 3))


def notice_list(site: Site) -> list[programmes_public.PublicNoticeView]:
    return programmes_public.public_notice_list(unit=site.unit, grace_days=grace_days())


def notice_get(site: Site, ref: str) -> programmes_public.PublicNoticeView:
    return programmes_public.public_notice_get(unit=site.unit, ref=ref, grace_days=grace_days())


def fund_years(today: dt.date | None = None) -> list[int]:
    year = (today or timezone.localdate()).year
    return list(range(year, year - FUND_YEARS, -1))


def year_span(year: int) -> tuple[dt.date, dt.date]:
    """The year's first day to its last, or to today for the current year."""
    today = timezone.localdate()
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)


def funds_disclosure(site: Site, year: int) -> dict[str, Any]:
    start, end = year_span(year)
    summary = disclosure_summary(org_unit=site.unit, start=start, end=end)
    # the disbursement account's movements, largest first, as amounts paid out
    spent = [(name, abs(total)) for name, total in summary["spent_by_purpose"].items()]
    summary["spent"] = sorted(spent, key=lambda kv: kv[1], reverse=True)
    summary["spent_total"] = sum((amount for _name, amount in spent), start=ZERO)
    return {"start": start, "end": end, **summary}


@dataclass(frozen=True)
class ProjectTypeRow:
    type_name: str
    projects: int
    budget: Decimal
    spent: Decimal
    goods_used: Decimal = ZERO


@dataclass(frozen=True)
class ProjectYear:
    """The approved projects running in the year (their period overlaps it), by type, with the sums of
    `project_disclosures`' budget and of the year's figures (`start`–`end`): spent and goods used posted in
    it, activities and participants held in it, beneficiary households with an agreement or a survey in it.
    A project spanning two years gives each year its own part, not its lifetime's."""

    by_type: list[ProjectTypeRow]
    projects: int
    budget: Decimal
    spent: Decimal
    activities: int
    participants: int
    households: int
    goods_used: Decimal = ZERO


@dataclass(frozen=True)
class VillageYear:
    """Filed texts in force (charters, village rules and residents' compacts) and the villages having one;
    assemblies held in the year and their motions, as counts; qualified and demonstration villages on the
    year's last day."""

    charters: int
    village_rules: int
    compacts: int
    villages_filed: int
    assemblies: int
    motions: int
    motions_passed: int
    qualified: int
    demonstration: int


def _project_year(site: Site, start: dt.date, end: dt.date) -> ProjectYear:
    running = _public_projects(site).filter(start_date__lte=end, end_date__gte=start)
    faces = project_disclosures(running, start=start, end=end)
    rows: dict[str, list[Any]] = {}
    for d in faces:
        row = rows.setdefault(d.type_name, [0, ZERO, ZERO, ZERO])
        row[0] += 1
        row[1] += d.budget
        row[2] += d.spent
        row[3] += d.goods_used
    return ProjectYear(
        by_type=[ProjectTypeRow(name, *figures) for name, figures in sorted(rows.items())],
        projects=len(faces),
        budget=sum((d.budget for d in faces), start=ZERO),
        spent=sum((d.spent for d in faces), start=ZERO),
        goods_used=sum((d.goods_used for d in faces), start=ZERO),
        activities=sum(d.activities for d in faces),
        participants=sum(d.participants for d in faces),
        households=sum(d.beneficiary_households for d in faces),
    )


def _village_year(site: Site, start: dt.date, end: dt.date) -> VillageYear:
    kinds: dict[str, int] = {}
    villages = set()
    for version in governance.published_documents(unit=site.unit):
        kinds[version.document.kind] = kinds.get(version.document.kind, 0) + 1
        villages.add(version.document.unit_id)
    results = [r for r in governance.published_results(unit=site.unit) if start <= r.held_on <= end]
    return VillageYear(
        charters=kinds.get(DocumentKind.CHARTER, 0),
        village_rules=kinds.get(DocumentKind.VILLAGE_RULES, 0),
        compacts=kinds.get(DocumentKind.RESIDENTS_COMPACT, 0),
        villages_filed=len(villages),
        assemblies=len({r.meeting_id for r in results}),
        motions=len(results),
        motions_passed=sum(1 for r in results if r.passed),
        qualified=governance.designated_units(on=end, within=site.unit).filter(level=Level.VILLAGE).count(),
        demonstration=governance.designated_units(rating=Rating.DEMONSTRATION, on=end, within=site.unit)
        .filter(level=Level.VILLAGE)
        .count(),
    )


@dataclass(frozen=True)
class AnnualReport:
    site: Site
    year: int
    start: dt.date
    end: dt.date
    funds: dict[str, Any]
    notices: dict[str, int]
    articles: int
    projects: ProjectYear
    villages: VillageYear


def annual_report(site: Site, year: int) -> AnnualReport:
    """Every figure of the annual report, each from its owner's selector: nothing is typed in."""
    start, end = year_span(year)
    articles = (
        Article.objects.unscoped(WHY)
        .filter(public_q(), site=site, publish_at__date__gte=start, publish_at__date__lte=end)
        .count()
    )
    return AnnualReport(
        site=site,
        year=year,
        start=start,
        end=end,
        funds=funds_disclosure(site, year),
        notices=programmes_public.public_notice_figures(unit=site.unit, start=start, end=end),
        articles=articles,
        projects=_project_year(site, start, end),
        villages=_village_year(site, start, end),
    )


# --- projects ----------------------------------------------------------------------------------------------

# A project is public once approved: its budget is then decided. A draft, one under review or returned, a
# refused and a withdrawn one are not (the same 404 as an unknown code).
PUBLIC_PROJECT_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.CLOSED)


def _public_projects(site: Site) -> QuerySet[Project]:
    return (
        Project.objects.unscoped("public: approved projects are disclosed (阳光计生)")
        .filter(status__in=PUBLIC_PROJECT_STATUSES, org_unit__path__startswith=site.unit.path)
        .select_related("type", "org_unit")
        .order_by("-start_date", "code")
    )


def project_list(site: Site) -> list[Any]:
    """The public face of each approved project of the site's branch and below, newest first, from
    `projects.selectors.project_disclosures`: a fixed number of queries, however many projects."""
    return project_disclosures(_public_projects(site))


def project_get(site: Site, code: str) -> Any:
    """One public project by its project number (项目编号, printed on its papers: not an internal id)."""
    project = _public_projects(site).filter(code=code).first()
    if project is None:
        raise NotFound(_("没有这个项目。"))
    return project_disclosure(project)


def happy_families(site: Site) -> Any:
    """Named Happy Families of the site's branch and below (`projects.selectors.happy_families_public`): by
    name and village only where the household head's honours consent is in force; the rest as a count."""
    return happy_families_public(unit=site.unit)


# --- villages: filed charters and village rules, assembly results -------------------------------------------


@dataclass(frozen=True)
class FiledText:
    title: str
    kind: str
    number: int
    adopted_on: dt.date | None
    clauses: list[Any]


@dataclass(frozen=True)
class Village:
    code: str  # the public 区划代码 of the village
    name: str
    texts: list[FiledText]
    results: list[Any]


def village_list(site: Site) -> list[tuple[str, str, list[str]]]:
    """(village code, village name, titles of its filed texts in force) for the site's branch and below."""
    villages: dict[str, tuple[str, str, list[str]]] = {}
    for version in governance.published_documents(unit=site.unit):
        unit = version.document.unit
        villages.setdefault(unit.code, (unit.code, unit.name, []))[2].append(version.document.title)
    return list(villages.values())


def result_list(site: Site) -> list[Any]:
    """Closed assemblies' results under the site's branch, as counts only (never who voted how)."""
    return governance.published_results(unit=site.unit)


def village_get(site: Site, code: str) -> Village:
    """A village's filed texts in force, in full, and its assembly results. A village with no filed text in
    force (none filed yet, or only returned or superseded ones) is the same 404 as an unknown code."""
    versions = list(governance.published_documents(unit=site.unit).filter(document__unit__code=code))
    if not versions:
        raise NotFound(_("这个村（社区）没有已备案的自治文本。"))
    unit = versions[0].document.unit
    texts = [
        FiledText(
            title=v.document.title,
            kind=v.document.get_kind_display(),
            number=v.number,
            adopted_on=timezone.localdate(v.adopted_at) if v.adopted_at else None,
            clauses=governance.version_clauses(v),
        )
        for v in versions
    ]
    return Village(
        code=unit.code, name=unit.name, texts=texts, results=governance.published_results(unit=unit)
    )


def legacy_columns(*, actor: Actor) -> QuerySet[Column]:
    """The columns an actor may import old articles into: those of sites whose branch they publish for."""
    return scoping.scope(
        Column.objects.select_related("site").filter(is_active=True), actor, PUBLISH, unit_field="site__unit"
    ).order_by("site__unit__path", "path")


def legacy_column_get(*, actor: Actor, column_id: Any) -> Column:
    return scoping.get_or_404(
        Column.objects.select_related("site", "site__unit"),
        actor,
        PUBLISH,
        unit_field="site__unit",
        pk=column_id,
    )


def column_named(*, site: str, path: str) -> Column:
    """A column named on the command line (`gd/zwgk/wjzl`): system work, the operator names it."""
    column = (
        Column.objects.unscoped("the command line names the column")
        .select_related("site", "site__unit")
        .filter(site__slug=site, path=path.strip("/"))
        .first()
    )
    if column is None:
        raise NotFound(_("没有这个栏目：%(site)s/%(path)s") % {"site": site, "path": path})
    return column
