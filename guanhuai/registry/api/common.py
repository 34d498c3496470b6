"""Shared pieces of the registry API: the router, its tags and the unit reference; the rest is the API kit.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from django.http import HttpRequest
from ninja import Router

from guanhuai.core.api import actor
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit

router = Router()

PERSONS = ["persons"]
HOUSEHOLDS = ["households"]
IMPORTS = ["registry imports"]


def unit_ref(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A branch named in the input: unknown or invisible is a 422 `unknown_unit`."""
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id)
