"""Writes of the projects app, split by sub-domain; each module's public names are re-exported here, so
callers write `services.project_submit(...)`. Importing the package (as the app's `ready()` does) imports
every module.

- `types`: project types as data (the five built-in types, a province's own);
- `lifecycle`: proposal, review and approval, closing;
- `money`: fundings from funds allocations (and goods in kind), spending and goods used through the ledger,
  and the reversal of a goods use recorded in error;
- `plan`: milestones and reports;
- `documents`: photos, sign-in sheets, report attachments;
- `sites`: the Warm Home "六有" checklist with evidence;
- `happy`: Happy Family selection (nominations reviewed level by level, named at the last, revocable by the naming level);
- `outcomes`: activities and their participants, beneficiary households, aid agreements, income records;
- `rollup`: the activity rollup and the households' gains, kept from those records for the reports."""

from guanhuai.projects.services.documents import (  # noqa: F401
    activity_photo_add,
    document_max_bytes,
    document_upload,
)
from guanhuai.projects.services.happy import (  # noqa: F401
    can_review_at,
    can_revoke,
    honours_changed,
    nomination_create,
    nomination_review,
    nomination_revoke,
    nomination_step_unit,
    nomination_steps,
    selects_families,
)
from guanhuai.projects.services.lifecycle import (  # noqa: F401
    FINAL_REPORT_DAYS,
    approving_unit,
    project_close,
    project_create,
    project_review,
    project_submit,
    project_update,
    project_withdraw,
    step_label,
    step_unit,
    steps_of,
)
from guanhuai.projects.services.money import (  # noqa: F401
    funding_spent,
    goods_use_reverse,
    project_fund,
    project_link_disbursement,
    project_spend,
    project_use_goods,
)
from guanhuai.projects.services.outcomes import (  # noqa: F401
    RECORDING,
    activity_log,
    aid_agreement_add,
    beneficiary_add,
    check_breakdown,
    in_area,
    income_record,
)
from guanhuai.projects.services.plan import (  # noqa: F401
    milestone_add,
    milestone_done,
    report_schedule,
    report_submit,
)
from guanhuai.projects.services.rollup import (  # noqa: F401
    activities_refresh,
    gains_refresh,
    outcomes_rebuild,
)
from guanhuai.projects.services.sites import site_check, standard_items  # noqa: F401
from guanhuai.projects.services.types import (  # noqa: F401
    BUILTIN_TYPES,
    can_manage_types,
    install_builtin_types,
    project_type_create,
    project_type_update,
    require_type_manager,
)
