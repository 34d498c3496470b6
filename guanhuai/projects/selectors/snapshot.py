"""A closed project's outcome figures, frozen at closing (结项).

`project_close` stores the outcome service's report of the project (`outcome_snapshot`) on the project, in
the same transaction as the evaluation. From then on `project_outcomes` (the page, the API, the portal's
disclosure) reads the figures the approving level evaluated, not today's: a follow-up or an activity
recorded after closing (they are still allowed: follow-ups come in later) does not change a closed
project's reported figures. The province report (`outcome_report`) keeps counting every record, so it
shows what is known today; the two differ only by what was recorded after a project closed.

The snapshot holds aggregates only (no person, no household), as JSON: numbers as integers, money and
scores as decimal strings, the gain distribution as counts in the order of `GAIN_BANDS`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanhuai.accounts.actor import Actor
from guanhuai.projects.models import Project
from guanhuai.projects.selectors.outcomes import (
    GAIN_BANDS,
    ActivityRow,
    Band,
    Coverage,
    IncomeOutcome,
    OutcomeReport,
    live_project_outcomes,
)

VERSION = 1


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _row_out(r: ActivityRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": str(r.label),
        "activities": r.activities,
        "participants": r.participants,
        "respondents": r.respondents,
        "pre": _text(r.knowledge_pre),
        "post": _text(r.knowledge_post),
    }


def _row_in(d: dict[str, Any]) -> ActivityRow:
    return ActivityRow(
        key=d["key"],
        label=d["label"],
        activities=d["activities"],
        participants=d["participants"],
        respondents=d["respondents"],
        knowledge_pre=_dec(d["pre"]),
        knowledge_post=_dec(d["post"]),
    )


def outcome_snapshot(report: OutcomeReport) -> dict[str, Any]:
    """The report as JSON, to be stored with the closing."""
    i = report.income
    return {
        "version": VERSION,
        "taken_at": timezone.now().isoformat(),
        "total": _row_out(report.total),
        "venues": [_row_out(r) for r in report.venues],
        "cities": [_row_out(r) for r in report.cities],
        "years": [_row_out(r) for r in report.years],
        "income": {
            "households": i.households,
            "with_baseline": i.with_baseline,
            "measured": i.measured,
            "missing": i.missing,
            "mean_baseline": _text(i.mean_baseline),
            "mean_gain": _text(i.mean_gain),
            "median_gain": _text(i.median_gain),
            "bands": [b.households for b in i.distribution],
        },
        "families_named": report.families_named,
    }


def report_from_snapshot(project: Project, data: dict[str, Any]) -> OutcomeReport:
    """The stored figures as the same report object the live service gives (labels of the gain bands are
    the current translations; everything else is as it was at closing)."""
    venues = [_row_in(r) for r in data["venues"]]
    cities = [_row_in(r) for r in data["cities"]]
    i = data["income"]
    bands = list(i["bands"]) + [0] * (len(GAIN_BANDS) - len(i["bands"]))
    return OutcomeReport(
        year=None,
        project_type=project.type,
        projects=1,
        total=_row_in(data["total"]),
        venues=venues,
        cities=cities,
        years=[_row_in(r) for r in data["years"]],
        coverage=Coverage(
            cities=len(cities),
            venue_kinds=len(venues),
            city_names=[c.label for c in cities],
            venue_labels=[v.label for v in venues],
        ),
        income=IncomeOutcome(
            households=i["households"],
            with_baseline=i["with_baseline"],
            measured=i["measured"],
            missing=i["missing"],
            mean_baseline=_dec(i["mean_baseline"]),
            mean_gain=_dec(i["mean_gain"]),
            median_gain=_dec(i["median_gain"]),
            distribution=[Band(label, n) for (_u, label), n in zip(GAIN_BANDS, bands, strict=False)],
        ),
        families_named=data.get("families_named", 0),  # snapshots taken before the selection have none
    )


def is_frozen(project: Project) -> bool:
    return bool(project.outcome_snapshot)


def project_outcomes(*, actor: Actor, project: Project) -> OutcomeReport:
    """One project's outcomes (the project was read through scoping by the caller): the figures frozen at
    its closing, or, while it runs, the outcome service's live figures."""
    if project.outcome_snapshot:
        return report_from_snapshot(project, project.outcome_snapshot)
    return live_project_outcomes(actor=actor, project=project)


def take_snapshot(project: Project) -> dict[str, Any]:
    """The whole project's figures now (every household of the project, whoever closes it)."""
    return outcome_snapshot(live_project_outcomes(actor=None, project=project))
