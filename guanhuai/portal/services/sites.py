"""A site follows its branch through a merge (orgs `unit_merged`, portal/receivers.py); the sites above a
branch drop their cached pages when a consent that decides what they show changes there.

When a branch merges into a sibling, its site moves to the receiving branch if that branch has no site;
otherwise it is closed (no longer public) with a pointer to the receiving branch's site, and its public
addresses answer 301 there (`public.public_page`). Either way one audit row, and the cached pages of the
site are dropped after commit."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from guanhuai.accounts.actor import Actor
from guanhuai.audit.services import log
from guanhuai.orgs.models import OrgUnit
from guanhuai.portal import public
from guanhuai.portal.models import Site

WHY = "a merge moves or closes the merged branch's site"


def site_follow_merge(*, actor: Actor, merged: OrgUnit, into: OrgUnit) -> Site | None:
    """Inside the merge's transaction (the merge checked the actor may manage both branches)."""
    sites = Site.objects.unscoped(WHY).select_for_update()
    site = sites.filter(unit=merged).first()
    if site is None:
        return None
    target = sites.filter(unit=into).first()
    if target is None:
        site.unit = into
        site.save(update_fields=["unit"])
        log(
            site,
            "portal.site.moved",
            actor=actor,
            org_unit=into,
            data={"from": merged.code, "into": into.code},
        )
    else:
        site.is_active = False
        site.moved_to = target
        site.save(update_fields=["is_active", "moved_to"])
        log(
            site,
            "portal.site.closed_by_merge",
            actor=actor,
            org_unit=into,
            data={"from": merged.code, "into": into.code, "redirect_to": target.slug},
        )
    transaction.on_commit(partial(public.bump_site, site.pk))
    return site


def sites_above_drop_cache(*, unit: OrgUnit) -> int:
    """Drop the cached pages of every site at or above `unit` (a consent that decides what they show changed
    under it). Called after commit; returns the number of sites."""
    ids = list(
        Site.objects.unscoped("the sites whose public pages show the branch's rows")
        .filter(unit__path__in=[*unit.ancestor_paths(), unit.path])
        .values_list("pk", flat=True)
    )
    for site_id in ids:
        public.bump_site(site_id)
    return len(ids)
