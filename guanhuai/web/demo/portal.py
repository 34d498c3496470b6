"""The demo's public portal (阳光计生): the site of 广东省计划生育协会 with its columns (政务公开 › 文件资料,
通知公告, 协会动态, 政策法规, 办事指南) and three dozen articles written for the demo, one of them withdrawn
with its reason, one scheduled for tomorrow and one waiting for review; a small site for 仁化县; and a few
weeks of read counts, rolled up, so the counters and the statistics page show something.

The articles are drafted through the portal's services (sanitised, indexed for search, audited) by the
portal editor `menhu`; publishing them on their historical dates is demo set-up, written directly. Built
once: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.models import User
from guanhuai.orgs.models import OrgUnit
from guanhuai.portal import reads, services
from guanhuai.portal.models import Article, Column, ReadEvent, Site
from guanhuai.portal.states import ArticleStatus
from guanhuai.web.demo import write_summary
from guanhuai.web.demo.province import HOME_COUNTY, PROVINCE_CODE

CONTACTS = {
    "address": "广州市越秀区东风中路",
    "postcode": "510000",
    "phone": "020-83000000",
    "email": "gdjsx@example.org",
    "record_no": "粤ICP备00000000号",
}
COLUMNS = (
    # (slug, name, parent slug)
    ("zwgk", "政务公开", None),
    ("wjzl", "文件资料", "zwgk"),
    ("tzgg", "通知公告", None),
    ("xhdt", "协会动态", None),
    ("zcfg", "政策法规", None),
    ("bszn", "办事指南", None),
)
PLACES = ("韶关市", "梅州市", "清远市", "仁化县", "丹霞街道", "富龙村", "始兴县", "乳源瑶族自治县")
TOPICS = ("生育关怀", "青春健康", "计生特殊家庭帮扶", "暖心家园", "幸福家庭", "流动人口服务", "计生三结合")

ARTICLES: tuple[tuple[str, str, str], ...] = (
    # (column slug, title, body in Markdown). Written for the demo; any likeness to a real notice is general.
    (
        "wjzl",
        "关于印发《{year}年全省计生协工作要点》的通知",
        "各地级以上市计生协：\n\n现将《{year}年全省计生协工作要点》印发给你们，请结合实际认真贯彻落实。\n\n## 一、总体要求\n\n以服务家庭为中心，深化{topic}工作，推动协会改革向基层延伸。\n\n## 二、重点任务\n\n1. 做好计生特殊家庭帮扶，落实“三个全覆盖”；\n2. 推进青春健康教育进学校、进社区、进企业；\n3. 规范生育关怀基金管理，按时公开收支情况。",
    ),
    (
        "wjzl",
        "关于做好{year}年计生特殊家庭节日慰问工作的通知",
        "各地计生协：\n\n春节将至，请各地在节前完成对计生特殊家庭的走访慰问，做到不漏一户。\n\n慰问情况请于节后十个工作日内报送省计生协。",
    ),
    (
        "wjzl",
        "省计生协关于开展会员再登记工作的实施方案",
        "为摸清会员底数，省计生协决定在全省开展会员再登记。\n\n## 一、时间安排\n\n再登记分动员、登记、核查三个阶段进行。\n\n## 二、工作要求\n\n各级协会要如实登记，不得虚报。",
    ),
    (
        "wjzl",
        "关于公布{year}年度生育关怀基金使用情况的公告",
        "根据基金管理办法，现将{year}年度生育关怀基金收支情况公告如下。\n\n| 项目 | 金额（元） |\n|---|---|\n| 募集 | 3,874,000 |\n| 帮扶支出 | 2,400,000 |\n\n如有疑问，请致电省计生协。",
    ),
    (
        "tzgg",
        "关于举办全省青春健康师资培训班的通知",
        "为提高青春健康教育质量，省计生协定于近期在广州举办师资培训班。\n\n请各市推荐两名学员，于报名截止前将回执发送至联系邮箱。",
    ),
    (
        "tzgg",
        "关于开展“{topic}”主题宣传月活动的通知",
        "各地计生协：\n\n经研究，决定在全省开展“{topic}”主题宣传月活动。请各地结合实际制定方案，确保活动取得实效。",
    ),
    (
        "tzgg",
        "关于征集计生协工作优秀案例的通知",
        "为总结推广基层经验，现面向全省征集计生协工作优秀案例。\n\n案例应真实、具体，字数在三千字以内。",
    ),
    (
        "tzgg",
        "关于调整办公时间的通知",
        "因办公场所维修，省计生协办公时间临时调整为工作日上午九时至下午五时。不便之处，敬请谅解。",
    ),
    (
        "tzgg",
        "关于{year}年度示范村评选结果的公示",
        "经各地推荐、实地评估，拟命名以下村为{year}年度计生协工作示范村，现予公示。\n\n公示期间如有异议，请向省计生协书面反映。",
    ),
    (
        "xhdt",
        "{place}计生协开展{topic}走访活动",
        "近日，{place}计生协组织志愿者深入村（社区），走访慰问计生特殊家庭，为他们送去慰问金和生活用品。\n\n志愿者详细了解老人的身体状况和实际困难，帮助联系家庭医生签约服务。",
    ),
    (
        "xhdt",
        "{place}举办{topic}培训班",
        "{place}计生协日前举办{topic}培训班，来自各镇（街道）的六十余名专干参加培训。\n\n培训围绕政策解读、工作方法和典型案例展开，学员纷纷表示收获很大。",
    ),
    (
        "xhdt",
        "省计生协召开{year}年工作会议",
        "省计生协日前召开{year}年工作会议，总结上一年工作，部署本年度重点任务。\n\n会议强调，要把计生特殊家庭帮扶作为重中之重，确保各项关怀措施落到实处。",
    ),
    (
        "xhdt",
        "{place}“暖心家园”正式启用",
        "{place}“暖心家园”日前正式启用，为计生特殊家庭提供活动场所和心理疏导服务。\n\n家园配有图书室、康复室和谈心室，每周安排志愿者值守。",
    ),
    (
        "xhdt",
        "{place}计生三结合项目助力群众增收",
        "{place}计生协通过计生三结合项目，扶持困难家庭发展香菇种植，户均年增收近两万元。\n\n项目采取“协会+合作社+农户”的方式，统一提供菌种和技术指导。",
    ),
    (
        "xhdt",
        "{place}开展幸福家庭创建活动",
        "{place}计生协以幸福家庭创建为载体，组织开展家庭健康讲座和亲子活动，参与家庭三百余户。",
    ),
    (
        "zcfg",
        "中华人民共和国人口与计划生育法（摘要）",
        "## 第一章 总则\n\n为了实现人口与经济、社会、资源、环境的协调发展，推行计划生育，维护公民的合法权益，促进家庭幸福、民族繁荣与社会进步，根据宪法，制定本法。\n\n（全文以正式公布的文本为准。）",
    ),
    (
        "zcfg",
        "计划生育家庭特别扶助制度政策问答",
        "**问：特别扶助的对象是哪些家庭？**\n\n答：独生子女死亡或伤残（三级以上），夫妻未再生育或收养子女的家庭。\n\n**问：扶助金如何发放？**\n\n答：经村级公示、乡镇初审、县级审批后，直接发放到本人银行账户。",
    ),
    (
        "zcfg",
        "农村部分计划生育家庭奖励扶助制度简介",
        "奖励扶助对象为农村只有一个子女或两个女孩、年满六十周岁的计划生育家庭夫妻。\n\n奖励扶助金按年发放，标准以当年政策为准。",
    ),
    (
        "zcfg",
        "育儿补贴制度实施方案解读",
        "育儿补贴按年发放，补贴对象为符合条件的三周岁以下婴幼儿。\n\n申请应在婴幼儿户籍所在地办理，一名婴幼儿只能申请一次。",
    ),
    (
        "bszn",
        "计划生育家庭特别扶助申请指南",
        "## 申请条件\n\n请对照特别扶助政策问答。\n\n## 需要材料\n\n- 身份证或户口簿；\n- 死亡证明或残疾证。\n\n## 办理流程\n\n向户籍所在村（社区）提出申请，村级公示后逐级审核。",
    ),
    (
        "bszn",
        "育儿补贴申请指南",
        "## 办理地点\n\n婴幼儿户籍所在地村（社区）。\n\n## 需要材料\n\n- 出生医学证明；\n- 户口簿；\n- 申请人银行账户信息。",
    ),
    (
        "bszn",
        "生育关怀基金救助申请指南",
        "困难计生家庭可向所在地计生协申请生育关怀基金救助。\n\n申请人需填写申请表，并提供家庭困难情况说明。",
    ),
    (
        "bszn",
        "计生协会员入会指南",
        "凡承认协会章程、愿意参加协会活动的公民，均可申请加入计生协。\n\n请向所在村（社区）计生协提出申请。",
    ),
)
WITHDRAWN_REASON = "文中慰问人数统计有误，已更正后另行发布"


@dataclass
class PortalSummary:
    sites: int = 0
    columns: int = 0
    articles: int = 0
    reads: int = 0
    seconds: float = 0.0
    skipped: str = ""


def demo_build(*, today: dt.date | None = None) -> PortalSummary:
    if Site.objects.unscoped("the demo checks whether it ran").exists():
        return PortalSummary(skipped=_("演示门户已存在。"))
    editor = User.objects.filter(username="menhu").first()
    approver = User.objects.filter(username="sheng_admin").first()
    county_approver = User.objects.filter(username="xiehui").first()
    province = OrgUnit.objects.filter(code=PROVINCE_CODE).first()
    county = OrgUnit.objects.filter(code=HOME_COUNTY).first()
    if editor is None or approver is None or province is None or county is None:
        return PortalSummary(skipped=_("没有演示账号（menhu），不建立演示门户。"))
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(708)
    summary = PortalSummary()
    with transaction.atomic():
        site = services.site_create(
            actor=None, unit=province, name="广东省计划生育协会", slug="gd", **CONTACTS
        )
        columns: dict[str, Column] = {}
        for i, (slug, name, parent) in enumerate(COLUMNS):
            columns[slug] = services.column_create(
                actor=None, site=site, name=name, slug=slug, parent=columns.get(parent or ""), position=i
            )
        articles = []
        n = 0
        for round_no in range(2):
            for column, title, body in ARTICLES:
                if round_no and column in ("zcfg", "bszn"):
                    continue
                n += 1
                words = {
                    "year": str(today.year - round_no),
                    "topic": rng.choice(TOPICS),
                    "place": rng.choice(PLACES),
                }
                articles.append(
                    services.article_create(
                        actor=editor,
                        column=columns[column],
                        title=title.format(**words),
                        body_source=body.format(**words),
                        author="省计生协宣传部" if column != "xhdt" else f"{words['place']}计生协 供稿",
                        source="广东省计划生育协会",
                        tags=words["topic"],
                    )
                )
        now = timezone.now()
        for i, article in enumerate(articles):
            Article.objects.filter(pk=article.pk).update(
                status=ArticleStatus.PUBLISHED,
                publish_at=now - dt.timedelta(days=2 + i * 9 // 2, hours=rng.randrange(8, 18)),
                approved_by=approver,
            )
        withdrawn = articles[9]  # a news item found wrong after publication
        withdrawn.refresh_from_db()
        services.article_withdraw(actor=approver, article=withdrawn, reason=WITHDRAWN_REASON)
        scheduled = services.article_create(
            actor=editor, column=columns["tzgg"], title="关于元旦假期值班安排的通知",
            body_source="元旦假期期间，省计生协安排专人值班，值班电话 020-83000000。", author="省计生协办公室",
        )  # fmt: skip
        services.article_submit(actor=editor, article=scheduled)
        services.article_publish(actor=approver, article=scheduled, publish_at=now + dt.timedelta(days=1))
        pending = services.article_create(
            actor=editor, column=columns["xhdt"], title="韶关市计生协召开会员代表大会",
            body_source="会议选举产生了新一届理事会。", author="韶关市计生协 供稿",
        )  # fmt: skip
        services.article_submit(actor=editor, article=pending)

        county_site = services.site_create(
            actor=None, unit=county, name="仁化县计划生育协会", slug="renhua", phone="0751-6300000"
        )
        news = services.column_create(actor=None, site=county_site, name="工作动态", slug="gzdt")
        services.column_create(actor=None, site=county_site, name="通知公告", slug="tzgg", position=1)
        for title in ("丹霞街道开展计生特殊家庭走访", "富龙村召开村民代表会议修订村规民约"):
            a = services.article_create(
                actor=editor, column=news, title=title, body_source=f"{title}，参与群众反响良好。"
            )
            services.article_submit(actor=editor, article=a)
            if county_approver is not None:
                services.article_publish(actor=county_approver, article=a)
            else:
                services.article_publish(actor=approver, article=a)

        summary.reads = _reads(site, [a for a in articles if a.pk != withdrawn.pk], today, rng)
        summary.sites, summary.columns = 2, len(COLUMNS) + 2
        summary.articles = len(articles) + 4
    summary.seconds = time.perf_counter() - started
    return summary


def _reads(site: Site, articles: list[Article], today: dt.date, rng: random.Random) -> int:
    """Three weeks of visits and reads (set-based: one bulk insert), rolled up through yesterday."""
    rows = []
    now = timezone.now()
    for back in range(21, -1, -1):
        day = today - dt.timedelta(days=back)
        visitors = [f"{rng.getrandbits(128):032x}" for _ in range(rng.randrange(20, 60))]
        for visitor in visitors:
            rows.append(ReadEvent(site=site, visitor=visitor, day=day, at=now, ip_masked="192.0.2.*"))
            for article in rng.sample(articles, k=rng.randrange(1, 4)):
                rows.append(
                    ReadEvent(
                        site=site, article=article, visitor=visitor, day=day, at=now, ip_masked="192.0.2.*"
                    )
                )
    ReadEvent.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    for back in range(21, 0, -1):
        reads.rollup(today - dt.timedelta(days=back))
    return len(rows)


def build_and_print(command: BaseCommand) -> PortalSummary:
    summary = demo_build()
    write_summary(
        command,
        skipped=summary.skipped,
        title=_("演示门户（用时 %(s).1f 秒）：/gk/gd/") % {"s": summary.seconds},
        counts=(
            (_("网站"), summary.sites),
            (_("栏目"), summary.columns),
            (_("文章"), summary.articles),
            (_("阅读记录"), summary.reads),
        ),
    )
    return summary
