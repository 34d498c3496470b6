"""The demo's qualified and demonstration villages (合格村/示范村) in 仁化县, and a demonstration county in review.

- The county's existing ratings are entered from the paper record (`designation_record`): 95 % of its villages
  and communities other than the home village are qualified, twelve of them demonstration villages; one
  qualified village was rated almost three years ago, so its designation expires within the month and its
  re-evaluation is on the work queue.
- The home village (富龙村), whose revised village rules the assemblies' demo adopted and filed, applies
  through the phone page's service: for demonstration if its indicators allow, else for qualified; the
  township reviewer passes it, so it waits at the county. With the care demo's two special families not yet
  fully covered it cannot apply, and the demo prints the indicator that stops it.
- 仁化县 applies to be a demonstration county on its villages' ratings; it waits for the city's review.

Built once, through the services, so everything is audited. Runs after the assemblies' demo."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.core.errors import DomainError
from guanhuai.governance import designation_rules, selectors, services
from guanhuai.governance.models import Designation
from guanhuai.governance.states import Rating
from guanhuai.orgs.models import NON_GEOGRAPHIC_KINDS, Level, OrgUnit
from guanhuai.web.demo.province import HOME_COUNTY, HOME_VILLAGE

DEMONSTRATION_VILLAGES = 12
RECORD = "仁化县计生协《关于公布合格村、示范村评定结果的通知》（仁计生协〔2025〕8号）"
FIVE_HAVES = {
    "association": {"met": True, "evidence": "村计生协会长、副会长、理事共7人，换届文件存村委会"},
    "funding": {"met": True, "evidence": "村级年度预算列支协会工作经费，镇财政所拨付凭证"},
    "charter": {"met": True, "evidence": "协会章程；村规民约第九条关心照顾计划生育特殊家庭"},
    "venue": {"met": True, "evidence": "村党群服务中心二楼协会活动室，已挂牌"},
    "publicity": {"met": True, "evidence": "宣传员2人，每人联系40户左右"},
}
COUNTY_FIVE_HAVES = {
    "association": {"met": True, "evidence": "县计生协第五届理事会，秘书长专职"},
    "funding": {"met": True, "evidence": "县财政年度预算安排协会工作经费"},
    "charter": {"met": True, "evidence": "县计生协章程；与卫健局签订的工作协议"},
    "venue": {"met": True, "evidence": "县计生协办公室及青春健康教育基地"},
    "publicity": {"met": True, "evidence": "各镇宣传员花名册"},
}


@dataclass
class DesignationSummary:
    villages: int = 0
    qualified: int = 0
    demonstration: int = 0
    share: str = ""
    expiring: str = ""
    home: str = ""
    county: bool = False
    skipped: str = ""


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def demo_build() -> DesignationSummary:
    if Designation.objects.unscoped("demo").exists():
        return DesignationSummary(skipped=_("演示示范评定已存在。"))
    county = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    officer, clerk, reviewer = _user("zizhi"), _user("cun_zhuanguan"), _user("zhen_shenhe")
    if county is None or officer is None or clerk is None or reviewer is None:
        return DesignationSummary(skipped=_("没有仁化县或演示账号，不建立演示示范评定。"))
    villages = list(
        county.subtree()
        .open()
        .filter(level=Level.VILLAGE)
        .exclude(kind__in=NON_GEOGRAPHIC_KINDS)
        .exclude(code=HOME_VILLAGE)
        .order_by("path")
    )
    # 95 % of all the county's villages, the home village (unrated) included, rounded up
    rated = villages[: -(-95 * (len(villages) + 1) // 100)]
    # the demonstration villages spread over the county's townships, as a county would choose them
    step = max(1, len(rated) // DEMONSTRATION_VILLAGES)
    demonstration = rated[::step][:DEMONSTRATION_VILLAGES]
    qualified = [v for v in rated if v not in demonstration]
    today = timezone.localdate()
    summary = DesignationSummary()
    if demonstration:
        services.designation_record(
            actor=officer,
            units=demonstration,
            rating=Rating.DEMONSTRATION,
            valid_from=today - dt.timedelta(days=400),
            note=RECORD,
        )
    if qualified:
        # the first qualified village was rated almost three years ago: it expires within the month
        expiring, rest = qualified[0], qualified[1:]
        services.designation_record(
            actor=officer,
            units=[expiring],
            rating=Rating.QUALIFIED,
            valid_from=today.replace(year=today.year - designation_rules.VALID_YEARS) + dt.timedelta(days=25),
            note=RECORD,
        )
        summary.expiring = expiring.name
        if rest:
            services.designation_record(
                actor=officer,
                units=rest,
                rating=Rating.QUALIFIED,
                valid_from=today - dt.timedelta(days=400),
                note=RECORD,
            )
    home = OrgUnit.objects.filter(code=HOME_VILLAGE).first()
    if home is not None:
        for rating in (Rating.DEMONSTRATION, Rating.QUALIFIED):
            try:
                application = services.designation_apply(
                    actor=clerk, unit=home, rating=rating, evidence=FIVE_HAVES
                )
            except DomainError as refused:
                summary.home = _("%(v)s暂不能申报：%(why)s") % {"v": home.name, "why": refused}
                continue
            services.designation_review(
                actor=reviewer, application=application, decision="pass", comment="五有齐全，属实"
            )
            summary.home = _("%(v)s申报%(r)s，乡镇已审核通过，待县级审核") % {
                "v": home.name,
                "r": Rating(rating).label,
            }
            break
    try:
        services.designation_apply(
            actor=officer, unit=county, rating=Rating.DEMONSTRATION, evidence=COUNTY_FIVE_HAVES
        )
        summary.county = True
    except DomainError as refused:
        summary.skipped = str(refused)
    _rows, total = selectors.designation_report(actor=officer, unit=county)
    summary.villages, summary.qualified, summary.demonstration = (
        total.villages,
        total.qualified,
        total.demonstration,
    )
    summary.share = total.share
    return summary


def build_and_print(command: BaseCommand) -> None:
    summary = demo_build()
    command.stdout.write("")
    if summary.skipped and not summary.villages:
        command.stdout.write(summary.skipped)
        return
    command.stdout.write(
        _(
            "演示示范评定：仁化县 %(n)d 个村(社区)中 %(share)s 评为合格以上，其中示范村 %(d)d 个；%(e)s的评定一个月内到期，待复评。"
        )
        % {"n": summary.villages, "share": summary.share, "d": summary.demonstration, "e": summary.expiring}
    )
    if summary.home:
        command.stdout.write(summary.home)
    if summary.county:
        command.stdout.write(_("仁化县申报示范县，待市级审核。"))
    elif summary.skipped:
        command.stdout.write(summary.skipped)
