"""What every step of the household import shares: the file's vocabulary, chunk sizes, the village-code
checks (made at validation and again at commit) and holding back a household with a bad row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import ImportBatch
from guanhuai.registry.permissions import IMPORT_PERSONS
from guanhuai.registry.states import Hukou, RelationToHead

IMPORT_VALIDATE = "registry.import_validate"
IMPORT_COMMIT = "registry.import_commit"

# The file's vocabulary is Chinese whatever the interface language (io_excel explains why).
RELATION_BY_TEXT = {
    "户主": RelationToHead.HEAD,
    "配偶": RelationToHead.SPOUSE,
    "子女": RelationToHead.CHILD,
    "父母": RelationToHead.PARENT,
    "孙子女": RelationToHead.GRANDCHILD,
    "兄弟姐妹": RelationToHead.SIBLING,
    "其他亲属": RelationToHead.OTHER,
} | {v: RelationToHead(v) for v in RelationToHead.values}
HUKOU_BY_TEXT = {"城镇": Hukou.URBAN, "农村": Hukou.RURAL} | {v: Hukou(v) for v in Hukou.values}
YES_NO = {"": False, "是": True, "否": False, "1": True, "0": False, "Y": True, "N": False}

LOAD_CHUNK = 5000
LOOKUP_CHUNK = 2000
COMMIT_HOUSEHOLDS = 1000
MAX_LENGTHS = {"household_number": 30, "address": 200, "name": 50, "hukou_place": 200}


class Quiet:
    """The progress of a call made outside a job (tests, the benchmark)."""

    def set_total(self, total: int) -> None:
        pass

    def step(self, n: int = 1, *, message: str | None = None, force: bool = False, **counts: int) -> None:
        pass


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def villages(codes: set[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for chunk in chunks(sorted(codes), LOOKUP_CHUNK):
        found.update(
            (u.code, u)
            for u in OrgUnit.objects.filter(code__in=chunk).only(
                "pk", "code", "name", "level", "path", "closed_on"
            )
        )
    return found


def village_problem(code: str, unit: OrgUnit | None, *, batch: ImportBatch, actor: Actor) -> str | None:
    """Only the code the user typed is echoed back: nothing about a branch outside their scope."""
    if unit is None:
        return _("村(社区)代码 %(code)s 不存在。") % {"code": code}
    if unit.level != Level.VILLAGE:
        return _("代码 %(code)s 不是村(社区)一级的代码。") % {"code": code}
    if not unit.path.startswith(batch.org_unit.path):
        return _("村(社区)代码 %(code)s 不在所选的导入范围“%(root)s”之内。") % {
            "code": code,
            "root": batch.org_unit.name,
        }
    if not scoping.can(actor, IMPORT_PERSONS, unit):
        return _("您没有在村(社区)代码 %(code)s 导入人员的权限。") % {"code": code}
    if not unit.is_open:
        return _("村(社区)代码 %(code)s 对应的村(社区)已撤销。") % {"code": code}
    return None


def row_list(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def hold_back_households(rows: Sequence[Any], errors: dict[int, list[str]]) -> None:
    """A household with a bad row is held back whole; its other rows say which row to fix."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        groups[r.household_key].append(r)
    for group in groups.values():
        bad = [r.row_number for r in group if errors.get(r.pk)]
        if not bad:
            continue
        for r in group:
            if not errors.get(r.pk):
                errors[r.pk] = [_("同户第%(rows)s行有错误，整户暂不导入。") % {"rows": row_list(bad)}]
