"""Reads of the projects app, split by sub-domain; each module's public names are re-exported here."""

from guanhuai.projects.selectors.disclosure import (  # noqa: F401
    Disclosure,
    project_disclosure,
    project_disclosures,
)
from guanhuai.projects.selectors.happy import (  # noqa: F401
    PublicFamily,
    PublicHonours,
    families_named,
    families_named_in,
    happy_families_public,
    nomination_counts,
    nomination_get,
    nomination_list,
    selection_project_get,
    to_review_q,
)
from guanhuai.projects.selectors.households import (  # noqa: F401
    beneficiary_get,
    beneficiary_list,
    household_for_project,
)
from guanhuai.projects.selectors.outcomes import (  # noqa: F401
    GAIN_BANDS,
    ActivityRow,
    IncomeOutcome,
    OutcomeReport,
    activities,
    activity_list,
    activity_place_get,
    activity_places,
    beneficiaries,
    coverage_table,
    default_year,
    income_outcome,
    live_project_outcomes,
    missing_follow_ups,
    outcome_report,
    outcome_workbook,
    report_years,
    rollups,
)
from guanhuai.projects.selectors.projects import (  # noqa: F401
    CityRow,
    Money,
    coverage_by_city,
    project_get,
    project_list,
    project_money,
    type_get,
    type_list,
    unit_for_projects,
)
from guanhuai.projects.selectors.snapshot import (  # noqa: F401
    is_frozen,
    outcome_snapshot,
    project_outcomes,
    report_from_snapshot,
    take_snapshot,
)
from guanhuai.projects.selectors.work import (  # noqa: F401
    document_get,
    document_list,
    funding_get,
    funding_list,
    goods_use_get,
    goods_use_list,
    milestone_get,
    milestone_list,
    overdue_reports,
    projects_to_review,
    report_get,
    report_list,
    review_list,
    reviewable_q,
    spending_list,
)
