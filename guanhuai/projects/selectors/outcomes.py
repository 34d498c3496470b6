"""The one outcome service: every figure of a project's or a province's outcome report comes from here, and
the page, the API, the Excel export and the CLI all call it. Each figure is one aggregate query (GROUP BY in
SQL, no Python loop over rows):

- **Income (计生三结合).** A household's gain is computed, never typed: its latest follow-up's net income minus
  its baseline, divided by the whole years between the two (at least one), so it is a gain *per year*
  (`services.rollup.gains_refresh` computes it when an income is recorded; it is read here). A household
  with a baseline and no follow-up is *missing*: listed, never counted as a gain of zero. The aggregates
  are the count, the mean and the median gain, and the distribution over `GAIN_BANDS`.
- **Youth Health (青春健康) and any type with activities.** Activities and participants, and the
  questionnaire's pre/post mean scores weighted by the number who answered, per venue kind, per city (the
  city above the branch where the activity was held) and per year. Coverage is the distinct cities and venue
  kinds reached.

The province report and the coverage table sum the activity rollup (`ActivityRollup`, kept by
`services.rollup` as activities are logged) instead of the activities; a project's page counts its own
activities.

Scope: activities and rollup rows through their project's branch (projects.view); beneficiary households
through the household's own branch too, so a list or a figure never counts a household the actor may not
see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Length, Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.core.money import to_money
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.projects.models import Project, ProjectType
from guanhuai.projects.models_outcomes import Activity, ActivityRollup, Beneficiary
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW
from guanhuai.projects.selectors import happy
from guanhuai.projects.selectors.income import (  # noqa: F401  (re-exported)
    GAIN_BANDS,
    Band,
    IncomeOutcome,
    income_outcome,
    missing_follow_ups,
)

DEC: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


class Exact(Func):
    """Decimal arithmetic that stays exact on both databases: SQLite stores 5000.00 as the integer 5000 and
    would divide two integers as integers, so there the operand is made real first."""

    template = "%(expressions)s"
    output_field = DEC

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="(%(expressions)s * 1.0)", **extra)


class Year(ExtractYear):
    """The year of a date column. SQLite stores a date as 'YYYY-MM-DD' text, and Django's EXTRACT there
    calls back into Python for every row (most of a province report's time); the first four characters are
    the same year, read by SQLite itself. Date columns only (not a datetime, whose year depends on the
    time zone)."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        return f"CAST(SUBSTR({sql}, 1, 4) AS INTEGER)", params


# ---------------------------------------------------------------- the rows a report starts from


def _in_scope(actor: Actor | None, path_field: str) -> Q:
    """The actor's scope over `path_field`; no actor is the operator at the console (`guanhuai projects
    report` without --as), who reads the whole province."""
    return Q() if actor is None else scoping.path_q(actor, VIEW, path_field=path_field)


# No actor: the operator at the console, or a whole project's figures frozen at its closing.
WHOLE = "no actor: the console, or a whole project's figures at its closing"


def activities(
    *, actor: Actor | None, year: int | None = None, type_code: str = "", project: Project | None = None
) -> QuerySet[Activity]:
    """The activities of the projects the actor may see (of one project, of one type, held in one year). On
    one project's page, someone who implements it without seeing its branch (a township cadre on a county
    project) sees the activities held at their own branches."""
    mine = _in_scope(actor, "project__org_unit__path")
    if project is not None and actor is not None:
        mine |= scoping.path_q(actor, LOG_ACTIVITIES, path_field="venue_unit__path")
    qs = scoping.within(Activity.objects.all(), actor, mine, no_actor=WHOLE)
    if project is not None:
        qs = qs.filter(project=project)
    if type_code:
        qs = qs.filter(project__type__code=type_code)
    if year:
        qs = qs.filter(held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31))
    return qs


def beneficiaries(
    *, actor: Actor | None, year: int | None = None, type_code: str = "", project: Project | None = None
) -> QuerySet[Beneficiary]:
    """Beneficiary households of the projects the actor may see, living in branches the actor may see, with
    `baseline`, `baseline_on`, `latest`, `latest_on`, `years` and `gain` (per year; NULL when no follow-up)
    computed in SQL. `year`: projects running in that year."""
    mine = _in_scope(actor, "project__org_unit__path") & _in_scope(actor, "household__org_unit__path")
    qs = scoping.within(Beneficiary.objects.all(), actor, mine, no_actor=WHOLE)
    if project is not None:
        qs = qs.filter(project=project)
    if type_code:
        qs = qs.filter(project__type__code=type_code)
    if year:
        qs = qs.filter(project__start_date__year__lte=year, project__end_date__year__gte=year)
    return with_gain(qs)


def with_gain(qs: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """The household's income figures as `baseline`, `baseline_year`, `latest`, `latest_year`, `years` and
    `gain`: read from the columns `services.rollup.gains_refresh` keeps from the income records (in the
    transaction that records one), so a report over 200,000 households computes no gain."""
    return qs.annotate(
        baseline=F("income_baseline"),
        baseline_year=F("income_baseline_year"),
        latest=F("income_latest"),
        latest_year=F("income_latest_year"),
        gain=F("income_gain"),
    ).annotate(
        years=Greatest(F("latest_year") - F("baseline_year"), Value(1), output_field=IntegerField()),
    )


# ---------------------------------------------------------------- activities, participants, scores


@dataclass(frozen=True)
class ActivityRow:
    key: Any  # venue kind code, city path prefix, or year
    label: str
    activities: int
    participants: int
    respondents: int
    knowledge_pre: Decimal | None
    knowledge_post: Decimal | None

    @property
    def knowledge_gain(self) -> Decimal | None:
        if self.knowledge_pre is None or self.knowledge_post is None:
            return None
        return self.knowledge_post - self.knowledge_pre


def _figures() -> dict[str, Any]:
    scored = Q(knowledge_pre__isnull=False, knowledge_post__isnull=False)
    return {
        "n": Count("pk"),
        "people": Coalesce(Sum("participants"), 0),
        "answered": Coalesce(Sum("respondents", filter=scored), 0),
        "pre_w": Sum(Exact(F("knowledge_pre")) * F("respondents"), filter=scored),
        "post_w": Sum(Exact(F("knowledge_post")) * F("respondents"), filter=scored),
    }


def _row(key: Any, label: str, r: dict[str, Any]) -> ActivityRow:
    answered = r["answered"] or 0

    def mean(weighted: Any) -> Decimal | None:
        return to_money(Decimal(str(weighted)) / answered) if answered and weighted is not None else None

    return ActivityRow(
        key=key,
        label=label,
        activities=r["n"],
        participants=r["people"],
        respondents=answered,
        knowledge_pre=mean(r["pre_w"]),
        knowledge_post=mean(r["post_w"]),
    )


def activity_total(rows: QuerySet[Activity]) -> ActivityRow:
    return _row(None, str(_("合计")), rows.aggregate(**_figures()))


def by_venue_kind(rows: QuerySet[Activity], labels: dict[str, str]) -> list[ActivityRow]:
    grouped = rows.order_by().values("venue_kind").annotate(**_figures()).order_by("venue_kind")
    out = [_row(r["venue_kind"], labels.get(r["venue_kind"], r["venue_kind"]), r) for r in grouped]
    order = list(labels)
    return sorted(out, key=lambda r: order.index(r.key) if r.key in order else len(order))


def by_year(rows: QuerySet[Activity]) -> list[ActivityRow]:
    grouped = rows.annotate(y=Year("held_on")).order_by().values("y").annotate(**_figures()).order_by("y")
    return [_row(r["y"], str(r["y"]), r) for r in grouped]


def _city_prefix_length() -> int:
    one = (
        OrgUnit.objects.filter(level=Level.CITY)
        .annotate(n=Length("path"))
        .values_list("n", flat=True)
        .first()
    )
    return one or 0


def by_city(rows: QuerySet[Activity]) -> list[ActivityRow]:
    """Per city: the activities held at or below each city branch (by the path prefix of the place)."""
    length = _city_prefix_length()
    if not length:
        return []
    grouped = list(
        rows.annotate(city=Substr("venue_unit__path", 1, length))
        .order_by()
        .values("city")
        .annotate(**_figures())
        .order_by("city")
    )
    names = dict(
        OrgUnit.objects.filter(level=Level.CITY, path__in=[r["city"] for r in grouped]).values_list(
            "path", "name"
        )
    )
    return [_row(r["city"], names[r["city"]], r) for r in grouped if r["city"] in names]


# ---------------------------------------------------------------- the reports


@dataclass(frozen=True)
class Coverage:
    cities: int
    venue_kinds: int
    city_names: list[str]
    venue_labels: list[str]


@dataclass(frozen=True)
class OutcomeReport:
    """One report (a project's, or a province's for a year and a type): the same object behind every
    page, API answer, workbook and CLI line."""

    year: int | None
    project_type: ProjectType | None
    projects: int
    total: ActivityRow
    venues: list[ActivityRow]
    cities: list[ActivityRow]
    years: list[ActivityRow]
    coverage: Coverage
    income: IncomeOutcome
    families_named: int = 0  # Happy Family: named nominations (selectors/happy.py), never typed


def _venue_labels(project_type: ProjectType | None) -> dict[str, str]:
    types = [project_type] if project_type is not None else list(ProjectType.objects.all())
    labels: dict[str, str] = {}
    for t in types:
        for e in t.entries("venue_kinds"):
            labels.setdefault(e["code"], e["label"])
    return labels


_SUMS = ("n", "people", "answered", "pre_w", "post_w")


def _groups(rows: QuerySet[Activity]) -> list[dict[str, Any]]:
    """One scan of the activities, grouped by venue kind, year and city (a few hundred groups for a
    province): the totals, the venue, year and city rows are sums of these groups."""
    length = _city_prefix_length()
    city = Substr("venue_unit__path", 1, length) if length else Value("")
    return list(
        rows.annotate(y=Year("held_on"), city=city)
        .order_by()
        .values("venue_kind", "y", "city")
        .annotate(**_figures())
    )


def rollups(*, actor: Actor | None, year: int | None = None, type_code: str = "") -> QuerySet[ActivityRollup]:
    """The activity rollup rows (`services.rollup`) of the projects the actor may see, as `activities`
    scopes the activities themselves: through the project's branch."""
    mine = _in_scope(actor, "project__org_unit__path")
    qs = scoping.within(ActivityRollup.objects.all(), actor, mine, no_actor=WHOLE)
    if type_code:
        qs = qs.filter(project__type__code=type_code)
    if year:
        qs = qs.filter(year=year)
    return qs


def _rollup_groups(rows: QuerySet[ActivityRollup]) -> list[dict[str, Any]]:
    """The same groups as `_groups`, summed from the rollup rows (a few thousand for a province over every
    year, against a million activities): the weighted sums come back from hundredths of a point."""
    length = _city_prefix_length()
    city = Substr("venue_unit__path", 1, length) if length else Value("")
    grouped = (
        rows.annotate(city=city)
        .order_by()
        .values("venue_kind", "year", "city")
        .annotate(
            n=Sum("activities"),
            people=Sum("participants"),
            answered=Sum("respondents"),
            pre=Sum("pre_hundredths"),
            post=Sum("post_hundredths"),
        )
    )
    return [
        {
            "venue_kind": g["venue_kind"],
            "y": g["year"],
            "city": g["city"],
            "n": g["n"],
            "people": g["people"],
            "answered": g["answered"],
            "pre_w": Decimal(g["pre"]) / 100 if g["answered"] else None,
            "post_w": Decimal(g["post"]) / 100 if g["answered"] else None,
        }
        for g in grouped
    ]


def _rollup(groups: list[dict[str, Any]], key: str | None) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for g in groups:
        acc = out.setdefault(g[key] if key else None, {k: None if k.endswith("_w") else 0 for k in _SUMS})
        for k in _SUMS:
            if g[k] is not None:
                acc[k] = (acc[k] or 0) + (Decimal(str(g[k])) if k.endswith("_w") else g[k])
    return out


def _report(
    groups: list[dict[str, Any]],
    bens: QuerySet[Beneficiary],
    *,
    year: int | None,
    project_type: ProjectType | None,
    projects: int,
    families_named: int = 0,
) -> OutcomeReport:
    labels = _venue_labels(project_type)
    order = list(labels)
    venues = sorted(
        (_row(k, labels.get(k, k), r) for k, r in _rollup(groups, "venue_kind").items()),
        key=lambda r: order.index(r.key) if r.key in order else len(order),
    )
    by_path = _rollup(groups, "city")
    names = dict(OrgUnit.objects.filter(level=Level.CITY, path__in=list(by_path)).values_list("path", "name"))
    cities = [_row(k, names[k], by_path[k]) for k in sorted(by_path) if k in names]
    total = _rollup(groups, None).get(None) or {k: None if k.endswith("_w") else 0 for k in _SUMS}
    return OutcomeReport(
        year=year,
        project_type=project_type,
        projects=projects,
        total=_row(None, str(_("合计")), total),
        venues=venues,
        cities=cities,
        years=[_row(k, str(k), r) for k, r in sorted(_rollup(groups, "y").items())],
        coverage=Coverage(
            cities=len(cities),
            venue_kinds=len(venues),
            city_names=[c.label for c in cities],
            venue_labels=[v.label for v in venues],
        ),
        income=income_outcome(bens),
        families_named=families_named,
    )


def live_project_outcomes(*, actor: Actor | None, project: Project) -> OutcomeReport:
    """One project's outcomes from its records today (the project was read through scoping by the caller;
    no actor: the whole project, as frozen at closing). `snapshot.project_outcomes` is what pages read."""
    return _report(
        _groups(activities(actor=actor, project=project)),
        beneficiaries(actor=actor, project=project),
        year=None,
        project_type=project.type,
        projects=1,
        families_named=happy.families_named(actor=actor, project=project),
    )


def outcome_report(*, actor: Actor | None, year: int | None = None, type_code: str = "") -> OutcomeReport:
    """The outcomes of every project the actor may see, of one type (by code or name) and one year (None:
    every year). The activity figures are summed from the rollup rows and the households' gains read
    from their stored columns (`services.rollup`, kept in the transactions that record them): the same
    figures as counting the records, at a province's scale over every year in well under a second."""
    project_type = None
    if type_code:
        project_type = ProjectType.objects.filter(Q(code=type_code) | Q(name=type_code)).first()
        type_code = project_type.code if project_type else type_code
    projects = (
        Project.objects.unscoped("the operator's province report at the console")
        if actor is None
        else scoping.scope(Project.objects.all(), actor, VIEW)
    )
    if type_code:
        projects = projects.filter(type__code=type_code)
    if year:
        projects = projects.filter(start_date__year__lte=year, end_date__year__gte=year)
    return _report(
        _rollup_groups(rollups(actor=actor, year=year, type_code=type_code)),
        beneficiaries(actor=actor, year=year, type_code=type_code),
        year=year,
        project_type=project_type,
        projects=projects.count(),
        families_named=happy.families_named_in(projects=projects, actor=actor),
    )


def _type_code(type_code: str) -> str:
    if not type_code:
        return ""
    found = ProjectType.objects.filter(Q(code=type_code) | Q(name=type_code)).values_list("code", flat=True)
    return found.first() or type_code


def coverage_table(*, actor: Actor | None, year: int | None = None, type_code: str = "") -> list[ActivityRow]:
    """The coverage table by city alone (the same rows as `outcome_report(...).cities`, from the rollup)."""
    groups = _rollup_groups(rollups(actor=actor, year=year, type_code=_type_code(type_code)))
    by_path = _rollup(groups, "city")
    names = dict(OrgUnit.objects.filter(level=Level.CITY, path__in=list(by_path)).values_list("path", "name"))
    return [_row(k, names[k], by_path[k]) for k in sorted(by_path) if k in names]


def report_years(*, actor: Actor | None, type_code: str = "") -> list[int]:
    """The years the report may be asked for, newest first: those with activities of the projects the
    actor may see (of the type), and the current year."""
    found = set(
        rollups(actor=actor, type_code=_type_code(type_code))
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(found | {timezone.localdate().year}, reverse=True)


def default_year(*, actor: Actor | None, type_code: str = "") -> int:
    """The year the report page opens on: the latest year, up to this one, with activities of the projects
    the actor may see (of the type); without any, the current year."""
    this_year = timezone.localdate().year
    latest = (
        rollups(actor=actor, type_code=_type_code(type_code))
        .filter(year__lte=this_year)
        .aggregate(y=Max("year"))["y"]
    )
    return latest or this_year


# ---------------------------------------------------------------- lists behind the pages


def _places(actor: Actor, project: Project) -> QuerySet[OrgUnit]:
    area = Q()
    for path in project.area_rows.values_list("org_unit__path", flat=True):
        area |= Q(path__startswith=path)
    if not area:
        return OrgUnit.objects.none()
    return OrgUnit.objects.open().filter(area, scoping.path_q(actor, LOG_ACTIVITIES))


def activity_places(*, actor: Actor, project: Project, limit: int = 300) -> list[OrgUnit]:
    """The branches where the actor may log the project's activities: in its area and in the actor's scope
    for projects.log_activities, open, nearest first (the form's choices)."""
    return list(_places(actor, project).order_by("depth", "path")[:limit])


def activity_place_get(*, actor: Actor, project: Project, unit_id: Any) -> OrgUnit:
    """One of `activity_places` by id (the API's choice of place); any other branch is a NotFound."""
    unit = _places(actor, project).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("未找到该记录，或您无权访问。"))
    return unit


def activity_list(*, actor: Actor, project: Project) -> QuerySet[Activity]:
    """A project's activities, newest first, with the place, who logged them and their photos (batched)."""
    return (
        activities(actor=actor, project=project)
        .select_related("venue_unit", "recorded_by")
        .prefetch_related("photos")
        .order_by("-held_on", "-pk")
    )


# ---------------------------------------------------------------- Excel


class _Sheet:
    """Translated labels as text, scores and money as numbers."""

    def __init__(self, sheet: XlsxStream) -> None:
        self.sheet = sheet

    def append(self, values: list[Any]) -> None:
        self.sheet.append([str(v) if isinstance(v, Promise) else v for v in values])


def outcome_workbook(report: OutcomeReport, out: IO[bytes]) -> int:
    """The report as one sheet (aggregates only), the same figures as the page. Returns rows written."""
    with XlsxStream(out, str(_("项目成效")), widths=[22, 10, 12, 12, 12, 12]) as stream:
        sheet = _Sheet(stream)
        sheet.append(
            [
                _("项目成效报告"),
                str(report.year or _("全部年份")),
                report.project_type.name if report.project_type else str(_("全部类型")),
            ]
        )
        sheet.append([_("项目数"), report.projects, _("评选出的幸福家庭数"), report.families_named])
        header = [_("分组"), _("活动次数"), _("参与人数"), _("答卷人数"), _("前测平均分"), _("后测平均分")]
        for title, rows in (
            (_("按场所类型"), report.venues),
            (_("按市（覆盖情况）"), report.cities),
            (_("按年份"), report.years),
        ):
            sheet.append([])
            sheet.append([title])
            sheet.append(header)
            for r in [*rows, report.total]:
                sheet.append(
                    [r.label, r.activities, r.participants, r.respondents, r.knowledge_pre, r.knowledge_post]
                )
        sheet.append([])
        sheet.append(
            [_("覆盖市数"), report.coverage.cities, _("覆盖场所类型数"), report.coverage.venue_kinds]
        )
        income = report.income
        sheet.append([])
        sheet.append([_("帮扶户收入")])
        for label, value in (
            (_("受益户"), income.households),
            (_("有基线收入"), income.with_baseline),
            (_("已跟踪（计算增收）"), income.measured),
            (_("缺跟踪数据"), income.missing),
            (_("基线年纯收入平均"), income.mean_baseline),
            (_("户年均增收（平均）"), income.mean_gain),
            (_("户年均增收（中位数）"), income.median_gain),
        ):
            sheet.append([label, value])
        sheet.append([])
        sheet.append([_("增收分布"), _("户数")])
        for band in income.distribution:
            sheet.append([band.label, band.households])
        return stream.rows
