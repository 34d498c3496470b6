"""`guanhuai portal rollup --as USER [--through 2026-12-01]`: queue the roll-up of read counts (the durable
job `portal.rollup_reads`, keyed by the day, so a daily cron line that runs twice queues once) and, with
`--wait`, run it here. `guanhuai portal publish-due`: publish the scheduled articles whose time has come
(system work: a cron line every few minutes; public pages already show them from their time)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from guanhuai.core.commands import ActionCommand, user_named
from guanhuai.portal import services
from guanhuai.portal.management.disclosure_cli import DisclosureActions, add_disclosure_actions


class Command(DisclosureActions, ActionCommand):
    help = "阳光计生门户：汇总阅读次数、发布到时的定时文章、导入旧网站文章、起草年度报告。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{rollup,publish-due,import-legacy,annual-report}"
        )
        p = sub.add_parser("rollup", help="汇总阅读次数到每日计数（提交后台任务）")
        p.add_argument(
            "--as", dest="username", required=True, help="以该用户的身份提交（需有查看门户统计权限）"
        )
        p.add_argument("--through", help="汇总到哪一天 YYYY-MM-DD（默认昨天）")
        sub.add_parser("publish-due", help="发布到时的定时文章")
        add_disclosure_actions(sub)

    def handle_rollup(self, *, username: str, through: str | None, **_opts: Any) -> None:
        actor = user_named(username)
        try:
            day = dt.date.fromisoformat(through) if through else None
        except ValueError:
            raise CommandError(
                _("日期“%(d)s”格式不对，应为 2026-12-31 这样的格式。") % {"d": through}
            ) from None
        job, created = services.reads_rollup_submit(actor=actor, through=day)
        job.refresh_from_db()
        state = _("已提交") if created else _("已提交过")
        self.stdout.write(
            _("%(state)s汇总任务 #%(id)s（%(status)s）：%(counts)s")
            % {"state": state, "id": job.pk, "status": job.get_status_display(), "counts": job.counts}
        )

    def handle_publish_due(self, **_opts: Any) -> None:
        n = services.articles_publish_due()
        self.stdout.write(_("已发布 %(n)d 篇到时的定时文章。") % {"n": n})
