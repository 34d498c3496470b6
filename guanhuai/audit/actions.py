"""Dotted action codes mapped to translated sentences for display. Unknown codes show as themselves."""

from typing import Any

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "orgs.unit.created": _("新建组织"),
    "orgs.unit.updated": _("修改组织"),
    "orgs.unit.moved": _("调整组织隶属关系"),
    "orgs.unit.merged": _("合并组织"),
    "orgs.unit.closed": _("撤销组织"),
    "orgs.tree.imported": _("导入组织架构"),
    "accounts.user.created": _("新建用户"),
    "accounts.user.updated": _("修改用户"),
    "accounts.user.password_changed": _("修改密码"),
    "accounts.assignment.granted": _("授予角色"),
    "accounts.assignment.revoked": _("撤销角色"),
    "accounts.token.created": _("创建API令牌"),
    "accounts.token.revoked": _("撤销API令牌"),
    "jobs.job.submitted": _("提交任务"),
    "jobs.job.finished": _("任务完成"),
    "jobs.job.failed": _("任务失败"),
    "jobs.job.retried": _("重试任务"),
    "jobs.job.file_downloaded": _("下载任务文件"),
    "registry.household.created": _("登记新户"),
    "registry.person.created": _("添加人员"),
    "registry.person.updated": _("修改人员信息"),
    "registry.bank_account.set": _("设置银行账户"),
    "registry.event.birth": _("登记出生"),
    "registry.event.death": _("登记死亡"),
    "registry.event.disability": _("登记残疾评定"),
    "registry.event.adoption": _("登记收养"),
    "registry.event.marriage": _("登记结婚"),
    "registry.event.divorce": _("登记离婚"),
    "registry.event.migration": _("登记流动"),
    "registry.event.move": _("登记迁户"),
    "registry.event.correction": _("更正登记信息"),
    "registry.person.unmasked": _("查看完整敏感信息"),
    "registry.consent.recorded": _("记录同意"),
    "registry.consent.withdrawn": _("撤回同意"),
    "registry.person.access_exported": _("导出个人信息（查阅请求）"),
    "registry.person.anonymised": _("删除个人信息"),
    "registry.transfer.requested": _("申请迁入"),
    "registry.transfer.received": _("收到迁入申请"),
    "registry.transfer.approved": _("同意迁出"),
    "registry.transfer.refused": _("拒绝迁入申请"),
    "registry.demo.loaded": _("生成演示户籍人口"),
    "registry.demo.bereaved_added": _("补充演示失独家庭"),
    "registry.import.uploaded": _("上传户籍人口导入文件"),
    "registry.import.committed": _("导入户籍人口"),
    "registry.import.errors_downloaded": _("下载导入错误文件"),
    "registry.persons.exported": _("导出户籍人口"),
    "funds.fund.created": _("设立基金"),
    "funds.donor.created": _("登记捐赠人"),
    "funds.pledge.created": _("登记认捐"),
    "funds.donation.recorded": _("登记捐赠"),
    "funds.donation.reversed": _("冲销捐赠"),
    "funds.receipt.issued": _("开具收据"),
    "funds.receipt.voided": _("作废收据"),
    "funds.allocation.created": _("分配资金"),
    "funds.allocation.closed": _("结束资金分配"),
    "funds.disbursement.recorded": _("登记支出"),
    "funds.disbursement.reversed": _("冲销支出"),
    "funds.transfer.recorded": _("基金间转账"),
    "funds.round.created": _("发放专项救助"),
    "funds.period.closed": _("月末结账"),
}


def register(sentences: dict[str, Any]) -> None:
    """Apps above audit declare their own action sentences (audit never imports them)."""
    SENTENCES.update(sentences)


def describe(action: str) -> str:
    return str(SENTENCES.get(action, action))
