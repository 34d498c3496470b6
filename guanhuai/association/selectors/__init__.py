"""Reads of the association app, split by sub-domain; each module's public names are re-exported here."""

# --- part 1: members, bodies, cadres ---
from guanhuai.association.selectors.imports import (  # noqa: F401
    PREVIEW_SHOWS,
    member_import_get,
    member_import_list,
    member_import_rows,
)
from guanhuai.association.selectors.members import (  # noqa: F401
    Turnover,
    VillageProgress,
    association_list,
    body_get,
    body_list,
    cadre_get,
    cadre_list,
    cadre_turnover,
    campaign_entries_to_confirm,
    campaign_get,
    campaign_list,
    campaign_progress,
    campaign_progress_below,
    campaign_roll,
    campaigns_to_close,
    group_get,
    group_list,
    member_counts,
    member_get,
    member_history,
    member_list,
    members_day_list,
    person_by_id_number,
    registration_get,
    seat_get,
    townships_without_full_time_cadre,
)
from guanhuai.association.selectors.training import *  # noqa: F403  (training: its __all__)
