"""factory_boy factories for audit entries. They write through `audit.services.log`, the one door to the
log, so an entry made here looks exactly like one a service wrote."""

from __future__ import annotations

from typing import Any

import factory

from guanhuai.audit.models import AuditEntry
from guanhuai.audit.services import log


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """`AuditEntryFactory(obj=unit, actor=user, org_unit=unit)`: an "updated" entry about `obj` (by default
    its branch, `org_unit`), with a name change; pass `action=`, `changes=` or `data=` to say otherwise."""

    class Meta:
        model = AuditEntry

    action = "orgs.unit.updated"
    org_unit = None
    obj = factory.LazyAttribute(lambda o: o.org_unit)
    changes = factory.Sequence(lambda n: {"name": [f"旧名{n}", f"新名{n}"]})
    data = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, obj: Any, action: str, **kwargs: Any) -> AuditEntry:
        return log(obj, action, **kwargs)
