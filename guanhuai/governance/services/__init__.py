"""Writes of the governance app, split by sub-domain; each module's public names are re-exported here, so
callers write `services.version_adopt(...)`. Importing the package (as the app's `ready()` does) imports
every module."""

# --- demonstration villages and counties ---
from guanhuai.governance.services.designations import (  # noqa: F401
    designation_apply,
    designation_record,
    designation_review,
    designation_revoke,
)

# --- documents and filing ---
from guanhuai.governance.services.documents import (  # noqa: F401
    adoption_refusal,
    amendment_accept,
    amendment_propose,
    amendment_reject,
    clause_remove,
    clause_save,
    document_create,
    version_adopt,
    version_draft,
    version_import,
    version_withdraw,
)
from guanhuai.governance.services.filing import (  # noqa: F401
    filing_file,
    filing_resubmit,
    filing_return,
    filing_submit,
)

# --- meetings ---
from guanhuai.governance.services.meetings import (  # noqa: F401
    delegate_add,
    group_create,
    meeting_close,
    meeting_convene,
    meeting_create,
    meeting_request_record,
    minutes_approve,
    notice_days,
    roll_build,
    sign_in,
)
from guanhuai.governance.services.motions import (  # noqa: F401
    meeting_open,
    motion_create,
    motion_voting_open,
    roll_call_tally,
    tally_correct,
    tally_record,
    vote_cast,
)
