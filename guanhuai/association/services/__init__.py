"""Writes of the association app, split by sub-domain (members, cadres, bodies, training, care,
meetings…); each module's public names are re-exported here, so callers write `services.member_create(...)`.
Importing the package (as the app's `ready()` does) imports every module."""

# --- part 1: members, bodies, cadres ---
from guanhuai.association.services.bodies import (  # noqa: F401
    body_term_open,
    registration_save,
    seat_cease,
    seat_designate,
)
from guanhuai.association.services.cadres import cadre_appoint, cadre_leave  # noqa: F401
from guanhuai.association.services.campaigns import (  # noqa: F401
    campaign_close_submit,
    campaign_confirm,
    campaign_lapse,
    campaign_open,
    campaign_prepare,
)
from guanhuai.association.services.care import (  # noqa: F401
    care_arrangement_add,
    care_arrangement_end,
    care_gaps_export,
    follow_up_done,
    visit_open,
    visit_record,
    volunteer_add,
    volunteer_service_record,
    volunteer_team_create,
)
from guanhuai.association.services.meetings import (  # noqa: F401
    action_item_close,
    delegated_task_create,
    delegated_task_move,
    meeting_record,
)
from guanhuai.association.services.members import (  # noqa: F401
    death_job_submit,
    member_create,
    member_group_create,
    member_group_set_leader,
    member_reinstate,
    member_transfer,
    member_withdraw,
    members_day_record,
    members_end_for_death,
)
from guanhuai.association.services.members_import import (  # noqa: F401
    member_import_commit_submit,
    member_import_errors,
    member_import_stage,
    member_import_submit,
)
from guanhuai.association.services.members_io import members_export  # noqa: F401
from guanhuai.association.services.training import *  # noqa: F403  (training: its __all__)
from guanhuai.association.services.training_attendance import *  # noqa: F403  (sign-in, attendance, certificates)
