"""The sentences of registry' audit actions (found by `audit.apps`, which imports every app's `audit.py`)."""

from django.utils.translation import gettext_lazy

from guanhuai.audit.actions import numeric, register, register_names
from guanhuai.registry.models import LifeEvent

register(
    {
        "registry.household.created": gettext_lazy("登记新户"),
        "registry.person.created": gettext_lazy("添加人员"),
        "registry.person.updated": gettext_lazy("修改人员信息"),
        "registry.bank_account.set": gettext_lazy("设置银行账户"),
        "registry.event.birth": gettext_lazy("登记出生"),
        "registry.event.death": gettext_lazy("登记死亡"),
        "registry.event.disability": gettext_lazy("登记残疾评定"),
        "registry.event.adoption": gettext_lazy("登记收养"),
        "registry.event.marriage": gettext_lazy("登记结婚"),
        "registry.event.divorce": gettext_lazy("登记离婚"),
        "registry.event.migration": gettext_lazy("登记流动"),
        "registry.event.move": gettext_lazy("登记迁户"),
        "registry.event.correction": gettext_lazy("更正登记信息"),
        "registry.person.unmasked": gettext_lazy("查看完整敏感信息"),
        "registry.consent.recorded": gettext_lazy("记录同意"),
        "registry.consent.withdrawn": gettext_lazy("撤回同意"),
        "registry.person.access_exported": gettext_lazy("导出个人信息（查阅请求）"),
        "registry.person.anonymised": gettext_lazy("删除个人信息"),
        "registry.transfer.requested": gettext_lazy("申请迁入"),
        "registry.transfer.received": gettext_lazy("收到迁入申请"),
        "registry.transfer.approved": gettext_lazy("同意迁出"),
        "registry.transfer.refused": gettext_lazy("拒绝迁入申请"),
        "registry.demo.loaded": gettext_lazy("生成演示户籍人口"),
        "registry.demo.bereaved_added": gettext_lazy("补充演示失独家庭"),
        "registry.import.uploaded": gettext_lazy("上传户籍人口导入文件"),
        "registry.import.committed": gettext_lazy("导入户籍人口"),
        "registry.import.errors_downloaded": gettext_lazy("下载导入错误文件"),
        "registry.persons.exported": gettext_lazy("导出户籍人口"),
    }
)


def _events(ids: list[str]) -> dict[str, str]:
    """A life event by its person: "张三 · 死亡 2026-03-01" (its str() has no person)."""
    rows = (
        LifeEvent.objects.filter(pk__in=numeric(ids))
        .select_related("person")
        .only("kind", "occurred_on", "person__name")
    )
    return {str(e.pk): f"{e.person.name} · {e.get_kind_display()} {e.occurred_on}" for e in rows}


register_names({"registry.lifeevent": _events})
