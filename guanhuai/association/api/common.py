"""What the association's routers share: the branch a request names, as an association sees it.

No `from __future__ import annotations`: ninja reads annotations at import time."""

from django.http import HttpRequest

from guanhuai.association.permissions import VIEW
from guanhuai.core.api import actor
from guanhuai.orgs import selectors as org_selectors
from guanhuai.orgs.models import OrgUnit


def unit_ref(request: HttpRequest, unit_id: int) -> OrgUnit:
    """A branch named in the input (a body's `org_unit_id`, a list's `unit_id` filter) among those whose
    association records the caller may see: unknown or out of scope is a 422 `unknown_unit`."""
    return org_selectors.unit_ref(actor=actor(request), unit_id=unit_id, perm=VIEW)
