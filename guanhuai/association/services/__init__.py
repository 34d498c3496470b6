"""Writes of the association app, split by sub-domain (members, cadres, bodies, training, care,
meetings…); each module's public names are re-exported here, so callers write `services.member_create(...)`.
Importing the package (as the app's `ready()` does) imports every module."""

from guanhuai.association.services.care import (
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
from guanhuai.association.services.meetings import (
    action_item_close,
    delegated_task_create,
    delegated_task_move,
    meeting_record,
)

__all__ = [
    "action_item_close",
    "care_arrangement_add",
    "care_arrangement_end",
    "care_gaps_export",
    "delegated_task_create",
    "delegated_task_move",
    "follow_up_done",
    "meeting_record",
    "visit_open",
    "visit_record",
    "volunteer_add",
    "volunteer_service_record",
    "volunteer_team_create",
]
