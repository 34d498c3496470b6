"""The demo's charters and village rules, and their filing with the township.

- The home village (富龙村 in the demo) has village rules with a version in force (adopted at an assembly
  before the platform: imported, with the paper record noted), and a revision draft in which one clause was
  amended on a villager's proposal (and another proposal was not taken up, with the reason). The draft is
  ready for the villagers' assembly: the assemblies' demo holds the meeting, and adopts and files it
  through `adopt_and_file(motion=...)`.
- Another village of the same township filed its village rules and had them returned for a flagged clause
  (a deposit on house building), with the township reviewer's reason.

The wording is our own: plain rules of neighbourliness. The one flagged clause is written for the demo
and is not copied from any real charter. Built once, through the services, so everything is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.governance import services
from guanhuai.governance.models import Document, DocumentVersion, Filing
from guanhuai.governance.parse import Parsed, ParsedClause
from guanhuai.governance.states import DocumentKind, MeetingKind, VersionStatus
from guanhuai.orgs.models import OrgUnit
from guanhuai.web.demo.province import HOME_TOWNSHIP, HOME_VILLAGE

# (chapter number, chapter title, clause text): numbered 第一条… in order.
VILLAGE_RULES: list[tuple[int, str, str]] = [
    (
        1,
        "总则",
        "为推进本村村民自治，建设文明和谐的新农村，根据有关法律法规，经村民会议讨论通过，制定本村规民约。",
    ),
    (1, "总则", "本村规民约适用于本村全体村民，村民委员会负责组织实施。"),
    (2, "社会秩序", "村民之间应当团结互助，邻里发生纠纷时，先由村人民调解委员会调解。"),
    (2, "社会秩序", "爱护道路、水利、照明等公共设施，损坏的应当照价修复。"),
    (3, "村容村貌", "生活垃圾分类投放到指定地点，不在河道、路边倾倒。"),
    (3, "村容村貌", "建房应当依法申请，按批准的位置和面积建设。"),
    (4, "婚姻家庭", "提倡婚事新办、丧事简办，反对铺张浪费和高额彩礼。"),
    (4, "婚姻家庭", "男女平等，出嫁女及其子女与其他村民享有同等的权利。"),
    (4, "婚姻家庭", "子女应当赡养父母，关心照顾计划生育特殊家庭的老人。"),
    (5, "附则", "本村规民约由村民委员会负责解释，自村民会议通过之日起施行。"),
]
# The one amendment the revision takes up (clause 5), and the one it does not.
AMENDED_CLAUSE = 5
AMENDED_TEXT = "生活垃圾分类投放到指定地点，可回收物交村回收点，不在河道、路边倾倒。"
# The other village: the same plain rules, with one clause the township returns (a deposit on building).
FLAGGED_CLAUSE = 6
FLAGGED_TEXT = "建房应当依法申请，开工前向村民委员会缴纳保证金，完工验收后退还。"


@dataclass
class GovernanceSummary:
    documents: int = 0
    clauses: int = 0
    draft: int = 0
    returned: str = ""
    skipped: str = ""


def _parsed(rows: list[tuple[int, str, str]]) -> Parsed:
    return Parsed(
        clauses=[ParsedClause(ch, title, i, text) for i, (ch, title, text) in enumerate(rows, start=1)]
    )


def revision_draft() -> DocumentVersion | None:
    """The home village's revision draft, ready for its villagers' assembly (None before the demo)."""
    return (
        DocumentVersion.objects.filter(
            document__unit__code=HOME_VILLAGE,
            document__kind=DocumentKind.VILLAGE_RULES,
            status=VersionStatus.DRAFT,
        )
        .unscoped("demo")
        .first()
    )


def adopt_and_file(*, motion: Any) -> Filing:
    """For the assemblies' demo: once `motion` (about `revision_draft()`, at the villagers' assembly) has
    passed, the draft is adopted, submitted to the township and filed, so the portal publishes it."""
    clerk = User.objects.get(username="cun_zhuanguan")
    reviewer = User.objects.get(username="zhen_shenhe")
    version = services.version_adopt(actor=clerk, version=motion.document_version, motion=motion)
    filing = services.filing_submit(actor=clerk, version=version)
    return services.filing_file(actor=reviewer, filing=filing, note=_("经审查，内容合法，予以备案。"))


def demo_build() -> GovernanceSummary:
    if Document.objects.exists():
        return GovernanceSummary(skipped=_("演示自治文本已存在。"))
    clerk = User.objects.filter(username="cun_zhuanguan").first()
    officer = User.objects.filter(username="zizhi").first()
    reviewer = User.objects.filter(username="zhen_shenhe").first()
    village = OrgUnit.objects.filter(code=HOME_VILLAGE).first()
    if clerk is None or officer is None or reviewer is None or village is None:
        return GovernanceSummary(skipped=_("没有演示村和村级专干账号，不建立演示自治文本。"))
    summary = GovernanceSummary()
    # 1. the home village: rules in force, then a revision draft with one amendment taken up
    in_force = services.version_import(
        actor=clerk,
        unit=village,
        kind=DocumentKind.VILLAGE_RULES,
        parsed=_parsed(VILLAGE_RULES),
        adopted_note=_("村民会议于2022年3月12日表决通过（纸质会议记录存村委会）"),
        source=_("村委会存档"),
    )
    draft = services.version_draft(actor=clerk, document=in_force.document, summary=_("完善垃圾分类条款"))
    target = draft.clauses.get(number=AMENDED_CLAUSE)
    taken = services.amendment_propose(
        actor=clerk,
        version=draft,
        clause=target,
        proposed_text=AMENDED_TEXT,
        proposer="黄桂兰",
        proposer_kind="villager",
        reason=_("村里设了回收点，条文应当写明"),
    )
    services.amendment_accept(actor=clerk, amendment=taken, note=_("村民委员会讨论采纳"))
    declined = services.amendment_propose(
        actor=clerk,
        version=draft,
        proposed_text="每月第一个星期日为全村卫生日，各户派人参加。",
        proposer="刘建国",
        proposer_kind="representative",
    )
    services.amendment_reject(
        actor=clerk, amendment=declined, reason=_("卫生日由村民小组各自安排，不写入村规民约")
    )
    summary.documents, summary.clauses, summary.draft = 1, len(VILLAGE_RULES), draft.number
    # The frame's meeting for the revision (the assemblies' demo replaces it with a full assembly).
    services.meeting_create(
        actor=clerk,
        unit=village,
        kind=MeetingKind.VILLAGERS_ASSEMBLY,
        title=_("%(village)s村民会议（修订村规民约）") % {"village": village.name},
        scheduled_at=_fourteen_days(),
    )
    # 2. another village of the township: filed, returned for the deposit clause
    other = (
        OrgUnit.objects.filter(parent__code=HOME_TOWNSHIP, level="village", kind="village")
        .exclude(code=HOME_VILLAGE)
        .order_by("code")
        .first()
    )
    if other is not None:
        rows = list(VILLAGE_RULES)
        rows[FLAGGED_CLAUSE - 1] = (rows[FLAGGED_CLAUSE - 1][0], rows[FLAGGED_CLAUSE - 1][1], FLAGGED_TEXT)
        version = services.version_import(
            actor=officer,
            unit=other,
            kind=DocumentKind.VILLAGE_RULES,
            parsed=_parsed(rows),
            adopted_note=_("村民会议于2024年1月20日表决通过（纸质会议记录）"),
            source=_("村委会存档"),
        )
        filing = services.filing_submit(actor=officer, version=version)
        services.filing_return(
            actor=reviewer,
            filing=filing,
            clauses=[FLAGGED_CLAUSE],
            reason=_(
                "第六条要求缴纳保证金，侵犯村民合法财产权利，请删除保证金的要求，经村民会议通过后重新报送。"
            ),
        )
        summary.documents += 1
        summary.returned = other.name
    return summary


def _fourteen_days() -> dt.datetime:
    return timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=14)


def build_and_print(command: BaseCommand) -> None:
    summary = demo_build()
    command.stdout.write("")
    if summary.skipped:
        command.stdout.write(summary.skipped)
        return
    command.stdout.write(
        _("演示自治文本：%(d)d 份；本村村规民约现行 %(c)d 条，第 %(n)d 版修订草案待村民会议表决。")
        % {"d": summary.documents, "c": summary.clauses, "n": summary.draft}
    )
    if summary.returned:
        command.stdout.write(_("%(v)s的村规民约备案被乡镇退回修改。") % {"v": summary.returned})
