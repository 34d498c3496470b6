"""The sentences of orgs' audit actions (found by `audit.apps`, which imports every app's `audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import register

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
