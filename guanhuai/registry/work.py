"""The registry's item on the home page's work queue (`core/work.py` says how items work): for those who
audit, the week's reads of full sensitive values (ID numbers, bank accounts, phones), each logged by the
registry as `registry.person.unmasked`."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts.actor import Actor
from guanhuai.audit import selectors as audit_selectors
from guanhuai.core.work import WorkItem, register

UNMASKED = "registry.person.unmasked"


@register("registry.sensitive_reads", order=600, group=_("审计"))
def sensitive_reads(actor: Actor) -> WorkItem | None:
    if not audit_selectors.can_view_log(actor=actor):
        return None
    since = timezone.localdate() - dt.timedelta(days=6)
    return WorkItem(
        label=_("本周查看完整敏感信息"),
        detail=_("近 7 天"),
        count=audit_selectors.entry_list(actor=actor, action=UNMASKED, since=since).count(),
        url=f"{reverse('audit:list')}?{urlencode({'action': UNMASKED, 'since': since.isoformat()})}",
    )
