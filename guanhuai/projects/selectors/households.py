"""Reads of a project's beneficiary households (受益户), their aid agreements (帮扶协议) and income records.

A beneficiary is read through two scopes, like every household figure of `selectors.outcomes`: its
project's branch and the household's own branch (projects.view). A household the actor may not see is a
404 exactly like a missing id, even when its project is in scope. The gain shown beside each household is
`outcomes.with_gain`'s, so the list, the household's page, the API and the reports agree."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.projects.models import Project
from guanhuai.projects.models_outcomes import AidAgreement, Beneficiary, IncomeRecord
from guanhuai.projects.permissions import VIEW
from guanhuai.projects.selectors.outcomes import beneficiaries
from guanhuai.registry.models import Household


def beneficiary_list(*, actor: Actor, project: Project) -> QuerySet[Beneficiary]:
    """A project's households the actor may see, by village, with baseline, latest and gain per year."""
    return (
        beneficiaries(actor=actor, project=project)
        .select_related("household", "household__org_unit", "household__head")
        .order_by("household__org_unit__path", "pk")
    )


def beneficiary_get(*, actor: Actor, beneficiary_id: Any) -> Beneficiary:
    """One beneficiary with its gain figures, its agreements and its income records (oldest first); the
    same 404 for a missing id, a project outside the actor's branches and a household outside them."""
    rows = (
        beneficiaries(actor=actor)
        .select_related("project", "project__type", "project__org_unit", "household", "household__org_unit")
        .prefetch_related(Prefetch("agreements", queryset=AidAgreement.objects.order_by("signed_on", "pk")))
        .prefetch_related(
            Prefetch(
                "incomes",
                queryset=IncomeRecord.objects.select_related("document").order_by("recorded_on", "pk"),
            )
        )
    )
    try:
        return rows.get(pk=int(beneficiary_id))
    except (Beneficiary.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录，或您无权访问。")) from None


def household_for_project(*, actor: Actor, number: str = "", household_id: Any = None) -> Household:
    """The registry household named by its number (户编号) or id, among those the actor may see; a 422 for one
    that does not exist or is out of scope (the service then refuses one outside the project's area)."""
    visible = scoping.scope(Household.objects.select_related("org_unit"), actor, VIEW)
    lookup = Q(pk=household_id) if household_id is not None else Q(number=(number or "").strip())
    found = visible.filter(lookup).first() if (household_id is not None or (number or "").strip()) else None
    if found is None:
        shown = household_id if household_id is not None else (number or "").strip()
        raise ValidationError(
            _("户“%(n)s”不存在，或不在您的辖区内。") % {"n": shown}, code="unknown_household"
        )
    return found
