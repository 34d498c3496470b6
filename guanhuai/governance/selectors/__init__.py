"""Reads of the governance app, split by sub-domain; each module's public names are re-exported here, so
callers write `selectors.document_list(...)`. Every read starts from `accounts.scoping`, except
`published_documents`, the public (村务公开) read of filed texts for the portal."""

# --- demonstration villages and counties ---
from guanhuai.governance.selectors.designations import (  # noqa: F401
    IndicatorValue,
    RatingRow,
    application_get,
    application_list,
    bound_shown,
    designated_units,
    designation_get,
    designation_list,
    designation_of,
    designation_report,
    indicator_values,
    report_root,
)

# --- documents and filing ---
from guanhuai.governance.selectors.documents import (  # noqa: F401
    adopting_motions,
    amendment_get,
    amendment_list,
    clause_get,
    document_get,
    document_list,
    motions_about,
    published_documents,
    version_clauses,
    version_diff,
    version_get,
    version_list,
    version_pair,
)
from guanhuai.governance.selectors.filing import filing_get, filing_list, filings_of  # noqa: F401

# --- meetings ---
from guanhuai.governance.selectors.meetings import (  # noqa: F401
    Quorum,
    adult_cutoff,
    composition,
    delegates,
    groups,
    meeting_get,
    meeting_list,
    motion_get,
    motion_list,
    published_results,
    quorum,
    quorum_counted,
    recent_sign_ins,
    request_check,
    roll,
    roll_call,
    roll_call_counts,
    tally_log,
)
