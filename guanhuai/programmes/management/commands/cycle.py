"""`guanhuai cycle …`: payment cycles from a shell, acting as a named user (--as), through the same
services as the pages. Every error exits non-zero with the Chinese message.

    guanhuai cycle generate --programme tefu --period 2026-12 --as caiwu        (runs the job inline)
                            [--past-reason …]  (a period more than GUANHUAI_PAST_PERIOD_MONTHS back)
    guanhuai cycle arrears --programme tefu --period 2026-12 --as caiwu  (months before the first cycle)
    guanhuai cycle approve --programme tefu --period 2026-12 --as xian_shenpi [--comment …]
    guanhuai cycle batches --programme tefu --period 2026-12 --as caiwu
    guanhuai cycle export --batch tefu-2026-12-01 [--format csv|xlsx] --out DIR --as caiwu
    guanhuai cycle import-results --batch tefu-2026-12-01 --file result.csv --as caiwu
    guanhuai cycle reissue --programme tefu --period 2026-12 --as caiwu
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.commands import acting_as, refusals
from guanhuai.core.money import yuan
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_run
from guanhuai.programmes.models import Cycle, PaymentBatch, Programme
from guanhuai.programmes.selectors import cycles as selectors
from guanhuai.programmes.selectors import payments as payment_selectors
from guanhuai.programmes.services import arrears, cycles, payments


class Command(BaseCommand):
    help = "发放周期：生成、审批、按银行生成批次、导出银行文件、导入回盘、补发失败记录。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        def with_actor(p: ArgumentParser) -> ArgumentParser:
            p.add_argument("--as", dest="username", required=True, help="以该用户的身份和权限执行")
            return p

        def with_cycle(p: ArgumentParser) -> ArgumentParser:
            p.add_argument("--programme", required=True, help="扶助项目代码")
            p.add_argument("--period", required=True, help="发放期：2026-12、2026-Q4 或 2026")
            return with_actor(p)

        generate = with_cycle(sub.add_parser("generate", help="生成发放周期（在本进程中运行生成任务）"))
        generate.add_argument("--past-reason", default="", help="发放期已过去较久时必填：为何仍要生成")
        with_cycle(sub.add_parser("arrears", help="把首个发放周期之前应发未发的月份作为补发计入该周期"))
        approve = with_cycle(sub.add_parser("approve", help="审批发放周期"))
        approve.add_argument("--comment", default="", help="审批意见")
        with_cycle(sub.add_parser("batches", help="按开户银行生成发放批次"))
        with_cycle(sub.add_parser("reissue", help="失败记录进入补发批次"))
        export = with_actor(sub.add_parser("export", help="导出银行代发文件（含完整账号）"))
        export.add_argument("--batch", required=True, help="批次号")
        export.add_argument("--format", default="csv", choices=["csv", "xlsx"])
        export.add_argument("--out", default=".", help="输出目录（默认当前目录）")
        results = with_actor(sub.add_parser("import-results", help="导入银行回盘文件并对账"))
        results.add_argument("--batch", required=True, help="批次号")
        results.add_argument("--file", required=True, help="回盘文件（CSV 或 xlsx）")

    def handle(self, *args: Any, action: str, username: str, **options: Any) -> None:
        with acting_as(username) as actor, refusals():
            getattr(self, "_" + action.replace("-", "_"))(actor, options)

    # --- lookups -----------------------------------------------------------------------------------------

    @staticmethod
    def _programme(code: str) -> Programme:
        found = Programme.objects.filter(code=code).first()
        if found is None:
            raise CommandError(_("扶助项目不存在：%(code)s") % {"code": code})
        return found

    def _cycle(self, actor: Actor, options: dict[str, Any]) -> Cycle:
        programme = self._programme(options["programme"])
        found = (
            selectors.cycle_list(actor=actor, programme=programme)
            .filter(period=options["period"].strip())
            .select_related("programme__org_unit", "programme__allocation", "job")
            .first()
        )
        if found is None:
            raise CommandError(
                _("%(p)s 还没有 %(period)s 的发放周期。") % {"p": programme.name, "period": options["period"]}
            )
        return found

    @staticmethod
    def _batch(actor: Actor, number: str) -> PaymentBatch:
        found = payment_selectors.batch_list(actor=actor).filter(number=number.strip()).first()
        if found is None:
            raise CommandError(_("批次不存在：%(n)s") % {"n": number})
        return found

    def _totals(self, cycle: Cycle, actor: Actor) -> None:
        s = selectors.cycle_summary(actor=actor, cycle=cycle)
        self.stdout.write(
            _("%(p)s %(period)s（%(status)s）：应发 %(n)d 笔，合计 %(total)s；已剔除 %(x)d 笔。")
            % {
                "p": cycle.programme.name,
                "period": cycle.period,
                "status": cycle.get_status_display(),
                "n": s.due.count,
                "total": yuan(s.due.total),
                "x": s.excluded.count,
            }
        )

    # --- actions -----------------------------------------------------------------------------------------

    def _generate(self, actor: Actor, options: dict[str, Any]) -> None:
        programme = self._programme(options["programme"])
        cycle, _created = cycles.cycle_generate(
            actor=actor,
            programme=programme,
            period=options["period"],
            inline=True,
            past_reason=options["past_reason"],
        )
        jobs = Job.objects.unscoped("the generation job of the cycle this command just made")
        job = jobs.filter(pk=cycle.job_id).first() if cycle.job_id is not None else None
        counts = job.counts if job else {}
        self.stdout.write(
            _("已生成：当期 %(n)s 笔，补发往期 %(a)s 笔，无匹配发放标准 %(none)s 人，合计 %(total)s。")
            % {
                "n": counts.get("entitlements", 0),
                "a": counts.get("arrears", 0),
                "none": counts.get("no_amount", 0),
                "total": yuan(counts.get("total")),
            }
        )
        if job and job.message:
            self.stdout.write(job.message)
        # The report of months owed before the first cycle is a job of its own: run it here too.
        _owed, report = arrears.owed_report(cycle)
        if report is not None and not report.is_finished:
            report = job_run(report.pk)
        if report is not None and report.message:
            self.stdout.write(report.message)
        self._totals(cycle, actor)

    def _arrears(self, actor: Actor, options: dict[str, Any]) -> None:
        cycle = self._cycle(actor, options)
        job = arrears.cycle_arrears_before_first(actor=actor, cycle=cycle, inline=True)
        self.stdout.write(
            _("已补发首期之前的月份：%(n)s 笔，合计 %(total)s。")
            % {"n": job.counts.get("entitlements", 0), "total": yuan(job.counts.get("total"))}
        )
        self._totals(cycle, actor)

    def _approve(self, actor: Actor, options: dict[str, Any]) -> None:
        cycle = cycles.cycle_approve(
            actor=actor, cycle=self._cycle(actor, options), comment=options["comment"]
        )
        self.stdout.write(
            _("已审批（%(n)d/%(m)d）。")
            % {"n": cycle.approvals.count(), "m": cycle.programme.approvals_required}
        )
        self._totals(cycle, actor)

    def _batches(self, actor: Actor, options: dict[str, Any]) -> None:
        cycle = self._cycle(actor, options)
        made = payments.batches_create(actor=actor, cycle=cycle)
        for b in made:
            self.stdout.write(
                _("批次 %(n)s（%(bank)s）：%(c)d 笔，%(t)s")
                % {"n": b.number, "bank": b.bank_name, "c": b.count, "t": yuan(b.total)}
            )
        if not made:
            self.stdout.write(_("没有新的批次：应发记录已全部进入批次，或缺少银行账户。"))
        missing = payment_selectors.missing_accounts(actor=actor, cycle=cycle).count()
        if missing:
            self.stdout.write(_("缺少银行账户：%(n)d 笔（请在户籍中登记后再次生成批次）。") % {"n": missing})

    def _reissue(self, actor: Actor, options: dict[str, Any]) -> None:
        made = payments.batch_reissue_failed(actor=actor, cycle=self._cycle(actor, options))
        for b in made:
            self.stdout.write(
                _("补发批次 %(n)s（%(bank)s）：%(c)d 笔，%(t)s")
                % {"n": b.number, "bank": b.bank_name, "c": b.count, "t": yuan(b.total)}
            )
        if not made:
            self.stdout.write(_("没有需要补发的失败记录。"))

    def _export(self, actor: Actor, options: dict[str, Any]) -> None:
        batch = self._batch(actor, options["batch"])
        name, content = payments.batch_export(actor=actor, batch=batch, fmt=options["format"])
        path = os.path.join(options["out"], name)
        with open(path, "wb") as fh:
            fh.write(content)
        batch.refresh_from_db()
        self.stdout.write(
            _("已导出 %(path)s：%(c)d 笔，%(t)s，校验码 %(sum)s")
            % {"path": path, "c": batch.count, "t": yuan(batch.total), "sum": batch.checksum}
        )

    def _import_results(self, actor: Actor, options: dict[str, Any]) -> None:
        batch = self._batch(actor, options["batch"])
        try:
            with open(options["file"], "rb") as fh:
                content = fh.read()
        except OSError as exc:
            raise CommandError(_("无法读取文件：%(e)s") % {"e": exc})
        result = payments.batch_import_results(
            actor=actor, batch=batch, file_name=os.path.basename(options["file"]), content=content
        )
        self.stdout.write(
            _("回盘 %(f)s：成功 %(p)d 笔，失败 %(x)d 笔，问题行 %(n)d 行。")
            % {"f": result.file_name, "p": result.paid, "x": result.failed, "n": len(result.problems)}
        )
        for problem in result.problems:
            self.stdout.write(_("  第%(row)s行：%(problem)s") % problem)
