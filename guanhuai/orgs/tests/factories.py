from __future__ import annotations

import factory

from guanhuai.orgs import paths
from guanhuai.orgs.models import Level, OrgUnit


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """Builds units with correct paths without going through services (fast set-up for tests).
    Pass `parent=`; the path is the parent's next segment."""

    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    level = Level.PROVINCE
    code = factory.Sequence(lambda n: f"{(n % 90) + 10:02d}0000")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.get("parent")
        if parent is not None:
            parent.refresh_from_db()
            parent.child_seq += 1
            OrgUnit.objects.filter(pk=parent.pk).update(child_seq=parent.child_seq)
            kwargs["path"] = parent.path + paths.segment(parent.child_seq)
        else:
            last = OrgUnit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
            kwargs["path"] = paths.segment(int(last) + 1 if last else 1)
        kwargs["depth"] = paths.depth(kwargs["path"])
        return super()._create(model_class, *args, **kwargs)
