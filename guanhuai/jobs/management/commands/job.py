"""`guanhuai job list|show|watch|submit-demo`: follow background jobs from a shell.

Without `--user` the command shows every job: whoever runs it holds shell and database access already.
With `--user NAME` it shows what that user would see on the web."""

from __future__ import annotations

import sys
import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from guanhuai.core.commands import ActionCommand, user_named
from guanhuai.jobs import cli, registry, selectors, services
from guanhuai.jobs.jobs import SLEEP
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus


class Command(ActionCommand):
    help = "查看、跟踪后台任务，或提交一个演示任务。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,show,watch,submit-demo}")

        p = sub.add_parser("list", help="列出任务（最新的在前）")
        p.add_argument("--user", help="以该用户的权限查看")
        p.add_argument("--status", choices=JobStatus.values)
        p.add_argument("--kind", default="")
        p.add_argument("--limit", type=int, default=20)

        p = sub.add_parser("show", help="显示一个任务的详情")
        p.add_argument("job_id", type=int)
        p.add_argument("--user", help="以该用户的权限查看")

        p = sub.add_parser("watch", help="显示进度条直到任务结束；成功时退出码为0，失败为1")
        p.add_argument("job_id", type=int)
        p.add_argument("--user", help="以该用户的权限查看")
        p.add_argument("--interval", type=float, default=0.5, help="刷新间隔（秒）")
        p.add_argument("--timeout", type=float, default=None, help="最长等待秒数；超时退出码为2")

        p = sub.add_parser("submit-demo", help="提交一个演示任务（逐步计数，可断点续跑）")
        p.add_argument("--user", required=True, help="提交人用户名")
        p.add_argument("--steps", type=int, default=20)
        p.add_argument("--delay", type=float, default=0.5, help="每步耗时（秒）")
        p.add_argument("--fail-at", type=int, default=0, help="第一次运行时在第几步失败（演示重试）")
        p.add_argument("--key", default="", help="幂等键；相同的键只会提交一次")
        p.add_argument("--watch", action="store_true", help="提交后跟踪进度")

    # --- helpers ----------------------------------------------------------------------------------
    def _get(self, job_id: int, username: str | None) -> Job:
        user = user_named(username)
        if user is None:
            return selectors.job_get_operator(job_id=job_id)
        return selectors.job_get(actor=user, job_id=job_id)

    # --- subcommands ------------------------------------------------------------------------------
    def handle_list(
        self, *, user: str | None, status: str | None, kind: str, limit: int, **_opts: Any
    ) -> None:
        actor = user_named(user)
        if actor is None:
            jobs = selectors.job_list_operator(kind=kind, status=status or "")
        else:
            jobs = selectors.job_list(actor=actor, kind=kind, status=status or "")
        rows = list(jobs[: max(1, limit)])
        if not rows:
            self.stdout.write(_("暂无任务"))
            return
        for job in rows:
            self.stdout.write(
                f"#{job.pk:<6} {job.get_status_display():<4} {job.percent:3d}%  "
                f"{registry.label(job.kind)}  {job.actor.username}  {job.created_at:%Y-%m-%d %H:%M}"
            )

    def handle_show(self, *, job_id: int, user: str | None, **_opts: Any) -> None:
        job = self._get(job_id, user)
        width = max(len(label) for label, _v in cli.describe(job))
        for label, value in cli.describe(job):
            self.stdout.write(f"{label.ljust(width)}  {value}")

    def handle_watch(
        self, *, job_id: int, user: str | None, interval: float, timeout: float | None, **_opts: Any
    ) -> None:
        job = self._get(job_id, user)
        self._watch(job, interval=interval, timeout=timeout)

    def handle_submit_demo(
        self, *, user: str, steps: int, delay: float, fail_at: int, key: str, watch: bool, **_opts: Any
    ) -> None:
        actor = user_named(user)
        if steps < 1:
            raise CommandError(_("步数至少为1。"))
        job, created = services.job_submit(
            actor=actor,
            kind=SLEEP,
            idempotency_key=key or f"demo-{uuid.uuid4().hex}",
            params={"steps": steps, "delay": delay, "fail_at": fail_at},
            org_unit=actor.home_unit,
        )
        if created:
            self.stdout.write(_("已提交演示任务 #%(id)s。") % {"id": job.pk})
        else:
            self.stdout.write(_("该幂等键已提交过：任务 #%(id)s。") % {"id": job.pk})
        if watch:
            job.refresh_from_db()
            self._watch(job, interval=0.5, timeout=None)

    def _watch(self, job: Job, *, interval: float, timeout: float | None) -> None:
        stream: Any = self.stdout._out
        tty = bool(getattr(stream, "isatty", lambda: False)())
        try:
            job = cli.watch(job, stream, tty=tty, interval=interval, timeout=timeout)
        except KeyboardInterrupt:
            self.stdout.write("")
            sys.exit(130)
        if job.status == JobStatus.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(_("任务 #%(id)s 已完成。") % {"id": job.pk}))
            return
        if job.status == JobStatus.FAILED:
            raise CommandError(
                _("任务 #%(id)s 失败：%(error)s") % {"id": job.pk, "error": job.error}, returncode=1
            )
        raise CommandError(_("等待超时：任务 #%(id)s 仍未结束。") % {"id": job.pk}, returncode=2)
