"""The outcome figures kept current as records are written, so that a report over a province and every year
reads a few thousand summed rows instead of a million activities and every household's income history.

- `activities_refresh`: a project's `ActivityRollup` rows (per place, venue kind and year: activities,
  participants, respondents, the questionnaire's weighted sums) rewritten from its activities, by one
  DELETE and one INSERT … SELECT … GROUP BY;
- `gains_refresh`: each beneficiary household's baseline, latest follow-up and gain per year
  (`Beneficiary.income_*`) recomputed from its income records, by one UPDATE.

Both are set-based and rewrite from the records, never add to what is stored: calling one again, or after
a correction, gives the same rows as a rebuild, so there is no drift to repair. The services that write
the records call them inside their own transaction (`activity_log` under the project's row lock,
`income_record` under the beneficiary's), so a report never sees an activity without its rollup. Bulk
writers (the demo, the benchmark) insert rows themselves and then call `outcomes_rebuild` once.

These are derived rows, not records: no audit line of their own (the record's service writes one)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Round

from guanhuai.core.sql import insert_select
from guanhuai.projects.models_outcomes import (
    Activity,
    ActivityRollup,
    Beneficiary,
    IncomeKind,
    IncomeRecord,
)
from guanhuai.projects.selectors.outcomes import DEC, Exact, Year

_ROLLUP_COLUMNS = (
    "project_id",
    "venue_unit_id",
    "venue_kind",
    "year",
    "activities",
    "participants",
    "respondents",
    "pre_hundredths",
    "post_hundredths",
)


def _hundredths(score: str) -> Cast:
    """A two-decimal score as a whole number of hundredths (SQLite keeps 57.33 as a float near it)."""
    return Cast(Round(F(score) * 100), BigIntegerField())


def _grouped(rows: QuerySet[Activity]) -> QuerySet[Any]:
    scored = Q(knowledge_pre__isnull=False, knowledge_post__isnull=False)
    return (
        rows.order_by()
        .annotate(y=Year("held_on"))
        .values("project_id", "venue_unit_id", "venue_kind", "y")
        .annotate(
            n=Count("pk"),
            people=Sum("participants"),
            answered=Coalesce(Sum("respondents", filter=scored), 0),
            pre=Coalesce(
                Sum(
                    _hundredths("knowledge_pre") * F("respondents"),
                    filter=scored,
                    output_field=BigIntegerField(),
                ),
                0,
            ),
            post=Coalesce(
                Sum(
                    _hundredths("knowledge_post") * F("respondents"),
                    filter=scored,
                    output_field=BigIntegerField(),
                ),
                0,
            ),
        )
    )


def activities_refresh(*, project_ids: Iterable[int] | None = None) -> int:
    """Rewrite the rollup rows of these projects (None: of every project) from their activities. Call it
    inside the transaction that changed the activities, holding the project's row lock. Returns the
    number of rows written."""
    ids = None if project_ids is None else sorted(set(project_ids))
    rollups = ActivityRollup.objects.all()
    rows = Activity.objects.all()
    if ids is not None:
        rollups, rows = rollups.filter(project_id__in=ids), rows.filter(project_id__in=ids)
    with transaction.atomic():
        rollups.delete()  # no row refers to a rollup: one DELETE
        return insert_select(ActivityRollup, _ROLLUP_COLUMNS, _grouped(rows))


def gains_refresh(rows: QuerySet[Beneficiary]) -> int:
    """Recompute the income figures of these beneficiary households from their income records: the
    baseline (one per household, a constraint) and its year, the latest follow-up (by date, then by the
    order recorded) and its year, and the gain per year, `(latest − baseline) / max(1, whole years
    between them)` rounded to the fen, NULL without a follow-up. Returns the number of rows updated."""
    base = IncomeRecord.objects.filter(beneficiary=OuterRef("pk"), kind=IncomeKind.BASELINE)
    last = IncomeRecord.objects.filter(beneficiary=OuterRef("pk"), kind=IncomeKind.FOLLOW_UP).order_by(
        "-recorded_on", "-pk"
    )
    with transaction.atomic():
        n = rows.update(
            income_baseline=Subquery(base.values("net_income")[:1], output_field=DEC),
            income_baseline_year=Subquery(base.annotate(y=Year("recorded_on")).values("y")[:1]),
            income_latest=Subquery(last.values("net_income")[:1], output_field=DEC),
            income_latest_year=Subquery(last.annotate(y=Year("recorded_on")).values("y")[:1]),
        )
        years = Greatest(
            F("income_latest_year") - F("income_baseline_year"), Value(1), output_field=IntegerField()
        )
        rows.update(
            income_gain=Round(Exact(F("income_latest") - F("income_baseline")) / years, 2, output_field=DEC)
        )
    return n


def outcomes_rebuild(*, project_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Both rollups of these projects (None: every project), after rows were inserted in bulk. Returns
    (rollup rows written, households updated)."""
    ids = None if project_ids is None else sorted(set(project_ids))
    households = Beneficiary.objects.all() if ids is None else Beneficiary.objects.filter(project_id__in=ids)
    with transaction.atomic():
        return activities_refresh(project_ids=ids), gains_refresh(households)
