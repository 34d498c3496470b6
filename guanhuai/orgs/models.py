from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.orgs import paths


class Level(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")


LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}


class Kind(models.TextChoices):
    """What a unit is within its level. Only township and village levels distinguish kinds.

    Enterprise, migrant and school associations are not places: each is a branch one level below the
    geographic branch it sits under (under a county: township level; under a township: village level), so
    scoping, statistics and merges treat it like the geographic branches beside it (docs/association.md)."""

    NONE = "", _("—")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    SUBDISTRICT = "subdistrict", _("街道")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    ENTERPRISE = "enterprise", _("企业计生协")
    MIGRANT = "migrant", _("流动人口计生协")
    SCHOOL = "school", _("学校计生协")


# The association kinds that are not a division of the map (no division code of their own in GB/T 2260).
NON_GEOGRAPHIC_KINDS = frozenset({Kind.ENTERPRISE, Kind.MIGRANT, Kind.SCHOOL})


KINDS_BY_LEVEL = {
    Level.TOWNSHIP: {Kind.TOWN, Kind.TOWNSHIP, Kind.SUBDISTRICT, *NON_GEOGRAPHIC_KINDS},
    Level.VILLAGE: {Kind.VILLAGE, Kind.COMMUNITY, *NON_GEOGRAPHIC_KINDS},
}


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def open(self) -> OrgUnitQuerySet:
        return self.filter(closed_on__isnull=True)

    def subtree(self, path: str, *, include_self: bool = True) -> OrgUnitQuerySet:
        q = Q(path__gte=path, path__lt=paths.upper_bound(path))
        if not include_self:
            q &= ~Q(path=path)
        return self.filter(q)


class OrgUnit(models.Model):
    """An association branch at one level of the tree (national → village/community)."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=64, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    # Highest child segment ever handed out, so a merged-away or moved child's segment is never reused.
    child_seq = models.PositiveIntegerField(default=0, editable=False)
    opened_on = models.DateField(_("成立日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="orgunit_level_path")]
        constraints = [
            models.CheckConstraint(condition=Q(depth__gte=1), name="orgunit_depth_positive"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="orgunit_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def level_rank(self) -> int:
        return LEVEL_ORDER[self.level]

    def subtree(self, *, include_self: bool = True) -> OrgUnitQuerySet:
        return OrgUnit.objects.subtree(self.path, include_self=include_self)

    def ancestor_paths(self) -> list[str]:
        return paths.ancestors(self.path)


class OrgChange(models.Model):
    """History of the tree: every creation, rename, move, merge and closure, with its effective date."""

    class Kind(models.TextChoices):
        CREATED = "created", _("新建")
        UPDATED = "updated", _("修改")
        MOVED = "moved", _("调整隶属")
        MERGED = "merged", _("合并")
        CLOSED = "closed", _("撤销")

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="history")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    effective_on = models.DateField(_("生效日期"))
    from_parent = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    merged_into = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old_path = models.CharField(max_length=64, blank=True)
    new_path = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit_id} {self.effective_on}"
