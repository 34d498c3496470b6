"""The sentences of orgs' audit actions (found by `audit.apps`, which imports every app's `audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register, register_fields

register(
    {
        "orgs.unit.created": gettext_lazy("新建组织"),
        "orgs.unit.updated": gettext_lazy("修改组织"),
        "orgs.unit.moved": gettext_lazy("调整组织隶属关系"),
        "orgs.unit.merged": gettext_lazy("合并组织"),
        "orgs.unit.closed": gettext_lazy("撤销组织"),
        "orgs.tree.imported": gettext_lazy("导入组织架构"),
    }
)

# A move's change names the old and new parent: say so, not "组织".
register_fields(
    {"orgs.orgunit": {"parent": gettext_lazy("上级组织"), "merged_into": gettext_lazy("并入组织")}}
)
