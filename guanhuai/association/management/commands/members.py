"""`guanhuai members reregister …`: re-registration campaigns from the command line, thin over the
services (the same scope, checks and audit as the pages).

    guanhuai members reregister open --unit 440224 --title "2026年会员再登记" --deadline 2026-12-31 --as xiehui
    guanhuai members reregister status --campaign 3 --as xiehui
    guanhuai members reregister close --campaign 3 --as xiehui

    guanhuai members import members.xlsx --unit 440224 --as xiehui      # stage and check: the preview
    guanhuai members import --commit 7 --as xiehui                      # import batch 7's valid rows

`import FILE` stages and checks the file in this process and prints what would be created, re-registered
and refused (`--errors FILE.xlsx` writes the rows in error, to fix and import again); `import --commit`
queues the commit as the pages do. `open`, `close` and `import --commit` queue durable jobs (`guanhuai job watch <id>` shows them); run `guanhuai worker`, or they
run in this process where tasks are immediate."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.association import selectors, services
from guanhuai.association.permissions import VIEW
from guanhuai.core.errors import DomainError
from guanhuai.orgs import selectors as org_selectors


class Command(BaseCommand):
    help = "协会会员：会员再登记（发起、查看进度、截止后结束）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rereg = sub.add_parser("reregister", help="会员再登记")
        step = rereg.add_subparsers(dest="step", required=True, metavar="STEP")
        opening = step.add_parser("open", help="发起再登记（在后台任务中生成名单）")
        opening.add_argument("--unit", required=True, help="发起协会的区划代码")
        opening.add_argument("--title", required=True, help="名称")
        opening.add_argument("--deadline", required=True, help="截止日期 YYYY-MM-DD")
        opening.add_argument("--opened-on", dest="opened_on", help="开始日期（默认今天）")
        for name, text in (("status", "各村(社区)确认进度"), ("close", "截止后结束：未确认者转为未再登记")):
            p = step.add_parser(name, help=text)
            p.add_argument("--campaign", type=int, required=True, help="再登记编号")
        importing = sub.add_parser("import", help="导入会员名单：先校验预览，再 --commit 导入")
        importing.add_argument("file", nargs="?", help="会员名单 .xlsx（按模板填写）")
        importing.add_argument("--unit", help="导入到的协会的区划代码")
        importing.add_argument("--errors", help="把有错误的行写入这个 .xlsx 文件")
        importing.add_argument("--commit", type=int, metavar="BATCH", help="导入该批次的有效记录")
        for p in (opening, importing, *[step.choices[n] for n in ("status", "close")]):
            p.add_argument("--as", dest="username", required=True, help="以该用户的身份和辖区执行")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = get_user_model()._default_manager.get_by_natural_key(options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(_("用户不存在：%(name)s") % {"name": options["username"]}) from None
        try:
            getattr(self, f"_{options.get('step') or options['action']}")(actor, options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _day(self, text: str | None) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}) from None

    def _open(self, actor: Actor, o: dict[str, Any]) -> None:
        unit = org_selectors.unit_get_by_code(actor=actor, code=o["unit"], perm=VIEW)
        campaign = services.campaign_open(
            actor=actor,
            org_unit=unit,
            title=o["title"],
            opened_on=self._day(o["opened_on"]),
            deadline=self._day(o["deadline"]),
        )
        self.stdout.write(
            _("已发起再登记 #%(id)d：%(title)s（%(status)s）")
            % {"id": campaign.pk, "title": campaign.title, "status": campaign.get_status_display()}
        )

    def _status(self, actor: Actor, o: dict[str, Any]) -> None:
        campaign = selectors.campaign_get(actor=actor, campaign_id=o["campaign"])
        rows = selectors.campaign_progress(actor=actor, campaign=campaign)
        self.stdout.write(f"{campaign.title} · {campaign.get_status_display()} · {campaign.deadline}")
        for p in rows:
            self.stdout.write(f"  {p.name}\t{p.confirmed:>6} / {p.total:<6}\t{p.percent:>3}%")
        self.stdout.write(
            _("合计：已确认 %(c)d / %(t)d")
            % {"c": sum(p.confirmed for p in rows), "t": sum(p.total for p in rows)}
        )

    def _close(self, actor: Actor, o: dict[str, Any]) -> None:
        campaign = selectors.campaign_get(actor=actor, campaign_id=o["campaign"])
        job = services.campaign_close_submit(actor=actor, campaign=campaign)
        job.refresh_from_db()
        self.stdout.write(
            _("结束任务 #%(id)d：%(status)s %(counts)s")
            % {"id": job.pk, "status": job.get_status_display(), "counts": job.counts}
        )

    def _import(self, actor: Actor, o: dict[str, Any]) -> None:
        if o["commit"]:
            batch = selectors.member_import_get(actor=actor, batch_id=o["commit"])
            job = services.member_import_commit_submit(actor=actor, batch=batch)
            job.refresh_from_db()
            self.stdout.write(
                _("导入任务 #%(id)d：%(status)s %(counts)s")
                % {"id": job.pk, "status": job.get_status_display(), "counts": job.counts}
            )
            return
        if not o["file"] or not o["unit"]:
            raise CommandError(_("请给出文件和 --unit，或用 --commit 批次号导入已校验的批次。"))
        unit = org_selectors.unit_get_by_code(actor=actor, code=o["unit"], perm=VIEW)
        try:
            with open(o["file"], "rb") as fh:
                content = fh.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        batch, created = services.member_import_stage(
            actor=actor, org_unit=unit, content=content, file_name=o["file"]
        )
        if not created:
            self.stdout.write(_("该文件已上传过（批次 #%(id)d），不会重复导入。") % {"id": batch.pk})
        self.stdout.write(
            _(
                "批次 #%(id)d（%(status)s）：共 %(rows)d 行，将新入会 %(create)d，将恢复会籍 %(back)d，有错误 %(bad)d，已导入 %(done)d。"
            )
            % {
                "id": batch.pk,
                "status": batch.get_status_display(),
                "rows": batch.total_rows,
                "create": batch.to_create,
                "back": batch.to_reinstate,
                "bad": batch.invalid_rows,
                "done": batch.imported_rows,
            }
        )
        for row in selectors.member_import_rows(batch=batch, show="errors")[:20]:
            self.stdout.write(f"  {row.row_number}\t{row.error}")
        if o["errors"] and batch.invalid_rows:
            with open(o["errors"], "wb") as out:
                out.write(services.member_import_errors(actor=actor, batch=batch))
            self.stdout.write(_("错误行已写入 %(file)s。") % {"file": o["errors"]})
        if batch.valid_rows and not batch.committed_at:
            self.stdout.write(
                _("确认后导入：guanhuai members import --commit %(id)d --as %(user)s")
                % {"id": batch.pk, "user": o["username"]}
            )
