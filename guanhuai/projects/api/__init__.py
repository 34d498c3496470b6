"""/api/v1/projects…: the projects app over the API. Thin, on the core/api kit: reads through the
selectors (scoped by projects.view: a project outside the actor's branches is a 404, exactly like one that
does not exist), writes through the services (403 without the permission, 422 for bad input with the same
message as on the page, 409 for a move the state table refuses or money that is not there).

One router (`common.router`); each module adds its endpoints to it: `projects` (types, the list, one project) and
`lifecycle` (proposal, review, closing, money, milestones, reports, documents), `goods` (the goods uses'
list and their reversal), `outcomes` (the outcome reports), `households` (beneficiary households, aid
agreements, income records), `activities` (a project's activities, logging one, its photos) and `happy` (the
Happy Family selection)."""

from guanhuai.projects.api import (  # noqa: F401  (register the endpoints)
    activities,
    goods,
    happy,
    households,
    lifecycle,
    outcomes,
    projects,
)
from guanhuai.projects.api.common import router

__all__ = ["router"]
