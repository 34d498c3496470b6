"""The sentences of the programmes' audit actions (found by `audit.apps`, which imports every app's
`audit.py`)."""

from django.db import models
from django.utils.translation import gettext, gettext_lazy

from guanhuai.audit.actions import Namer, numeric, register, register_names
from guanhuai.programmes.models import Application, Cycle, Enrolment, Entitlement, RuleVersion

register(
    {
        # programmes
        "programmes.programme.created": gettext_lazy("设立扶助项目"),
        "programmes.programme.created_from_template": gettext_lazy("按国家模板设立扶助项目"),
        "programmes.programme.updated": gettext_lazy("修改扶助项目"),
        "programmes.rule.saved": gettext_lazy("保存资格条件新版本"),
        "programmes.amount_rule.added": gettext_lazy("新增发放标准"),
        "programmes.amount_rule.ended": gettext_lazy("结束发放标准"),
        "programmes.missed.exported": gettext_lazy("导出应享未享名单"),
        # notices
        "programmes.notice.opened": gettext_lazy("发布公示"),
        "programmes.notice.closed": gettext_lazy("结束公示"),
        "programmes.objection.recorded": gettext_lazy("登记公示异议"),
        "programmes.objection.upheld": gettext_lazy("异议成立，申请退回村级"),
        "programmes.objection.dismissed": gettext_lazy("异议不成立"),
        # cycles
        "programmes.cycle.created": gettext_lazy("生成发放周期"),
        "programmes.cycle.generated": gettext_lazy("发放周期应发名单生成完成"),
        "programmes.cycle.approved": gettext_lazy("审批发放周期"),
        "programmes.cycle.locked": gettext_lazy("发放周期审批通过并锁定"),
        "programmes.cycle.closed": gettext_lazy("发放周期结束"),
        "programmes.entitlement.excluded": gettext_lazy("剔除应发记录"),
        "programmes.entitlement.restored": gettext_lazy("恢复应发记录"),
        "programmes.entitlement.top_up_added": gettext_lazy("添加补差"),
        # applications
        "programmes.application.created": gettext_lazy("录入扶助申请"),
        "programmes.application.submitted": gettext_lazy("提交扶助申请"),
        "programmes.application.passed": gettext_lazy("审核通过"),
        "programmes.application.returned": gettext_lazy("退回修改"),
        "programmes.application.refused": gettext_lazy("不予批准"),
        "programmes.application.approved": gettext_lazy("批准扶助申请并纳入享受对象"),
        "programmes.application.withdrawn": gettext_lazy("撤回扶助申请"),
        "programmes.application.in_notice": gettext_lazy("列入公示"),
        "programmes.application.notice_passed": gettext_lazy("公示期满无异议，进入下一环节"),
        "programmes.document.added": gettext_lazy("上传申请材料"),
        "programmes.document.viewed": gettext_lazy("查看申请材料"),
        # enrolments
        "programmes.enrolment.suspended": gettext_lazy("暂停享受"),
        "programmes.enrolment.reactivated": gettext_lazy("重新申请获批，恢复享受"),
        "programmes.enrolment.resumed": gettext_lazy("恢复享受"),
        "programmes.enrolment.exited": gettext_lazy("退出享受"),
        "programmes.enrolment.flag_cleared": gettext_lazy("复核后保留享受资格"),
        "programmes.enrolment.flagged": gettext_lazy("资格确认提示复核"),
        "programmes.enrolment.ended_by_death": gettext_lazy("因死亡终止享受"),
        "programmes.reconfirmation.run": gettext_lazy("年度资格确认"),
        # payments
        "programmes.batch.created": gettext_lazy("生成发放批次"),
        "programmes.batch.exported": gettext_lazy("导出银行代发文件（含完整账号）"),
        "programmes.batch.results_imported": gettext_lazy("导入银行回盘文件"),
        "programmes.batch.reconciled": gettext_lazy("发放批次对账完成"),
        "programmes.batch.reissued": gettext_lazy("失败记录补发批次"),
        # grievances
        "programmes.grievance.recorded": gettext_lazy("登记投诉"),
        "programmes.grievance.assigned": gettext_lazy("指定投诉承办人"),
        "programmes.grievance.resolved": gettext_lazy("投诉办结"),
        "programmes.grievance.rejected": gettext_lazy("投诉不予受理"),
    }
)


# Names for the log page (their str() is "programme:person"): one query per page for each type.


def _person_and_programme(model: type[models.Model]) -> Namer:
    def names(ids: list[str]) -> dict[str, str]:
        rows = model._default_manager.filter(pk__in=numeric(ids)).values_list(
            "pk", "person__name", "programme__name"
        )
        return {str(pk): f"{person} · {programme}" for pk, person, programme in rows}

    return names


def _cycles(ids: list[str]) -> dict[str, str]:
    rows = Cycle.objects.filter(pk__in=numeric(ids)).values_list("pk", "programme__name", "period")
    return {str(pk): f"{programme} · {period}" for pk, programme, period in rows}


def _rule_versions(ids: list[str]) -> dict[str, str]:
    rows = RuleVersion.objects.filter(pk__in=numeric(ids)).values_list("pk", "programme__name", "version")
    return {
        str(pk): gettext("%(programme)s · 资格条件第%(v)d版") % {"programme": name, "v": v}
        for pk, name, v in rows
    }


register_names(
    {
        "programmes.application": _person_and_programme(Application),
        "programmes.enrolment": _person_and_programme(Enrolment),
        "programmes.entitlement": _person_and_programme(Entitlement),
        "programmes.cycle": _cycles,
        "programmes.ruleversion": _rule_versions,
    }
)
