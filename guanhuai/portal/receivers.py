"""The portal's reactions to other apps' signals: receivers translate the signal into a service call."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guanhuai.accounts.actor import Actor
from guanhuai.orgs.services import unit_merged
from guanhuai.projects.services import honours_changed
from guanhuai.registry.services import consent_changed
from guanhuai.registry.states import ConsentPurpose


@receiver(unit_merged, dispatch_uid="portal.site_follows_merge")
def site_follows_merge(sender: Any, merged: Any, into: Any, actor: Actor, **kwargs: Any) -> None:
    from guanhuai.portal.services.sites import site_follow_merge

    site_follow_merge(actor=actor, merged=merged, into=into)


@receiver(consent_changed, dispatch_uid="portal.honours_follow_consent")
def honours_follow_consent(sender: Any, person: Any, purpose: str, **kwargs: Any) -> None:
    """A head's honours consent recorded or withdrawn: the sites above the person's village drop their cached
    pages, so the Happy Family list shows (or no longer shows) the family at once, not after the cache's time."""
    from guanhuai.portal.services.sites import sites_above_drop_cache

    if purpose == ConsentPurpose.HONOURS:
        sites_above_drop_cache(unit=person.org_unit)


@receiver(honours_changed, dispatch_uid="portal.honours_follow_selection")
def honours_follow_selection(sender: Any, unit: Any, **kwargs: Any) -> None:
    """A family named or its title revoked: the sites above its village drop their cached pages, so the Happy
    Family list changes at once."""
    from guanhuai.portal.services.sites import sites_above_drop_cache

    sites_above_drop_cache(unit=unit)
