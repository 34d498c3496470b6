"""Reads of the association app, split by sub-domain; each module's public names are re-exported here."""

# --- part 1: members, bodies, cadres ---
from guanhuai.association.selectors.members import (  # noqa: F401
    Turnover,
    VillageProgress,
    association_list,
    body_get,
    body_list,
    cadre_get,
    cadre_list,
    cadre_turnover,
    campaign_get,
    campaign_list,
    campaign_progress,
    campaign_roll,
    campaign_entries_to_confirm,
    group_list,
    member_counts,
    member_get,
    member_history,
    member_list,
    person_by_id_number,
    members_day_list,
    registration_get,
    seat_get,
    townships_without_full_time_cadre,
)
