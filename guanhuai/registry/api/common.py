"""Shared pieces of the registry API: the router, its tags and the unit references; the rest is the API kit.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from django.http import HttpRequest
from ninja import Router

from guanhuai.core.api import actor
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit
from guanhuai.registry.permissions import VIEW_PERSONS

router = Router()

PERSONS = ["persons"]
HOUSEHOLDS = ["households"]
IMPORTS = ["registry imports"]


def unit_ref(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A branch named in the input: unknown or invisible is a 422 `unknown_unit`."""
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id)


def persons_unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A branch whose persons the input is about (a list's `unit_id`, a new household's or an import's
    `org_unit_id`), among those where the caller may see persons: otherwise a 422 `unknown_unit`."""
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id, perm=VIEW_PERSONS)
