"""`guanhuai funds reconcile|statement|gaps`: prove the ledger and read a fund from a shell.

Like `guanhuai job`, the command acts as the operator by default: whoever runs it holds shell and
database access already. With `--user NAME`, fund and branch lookups go through that user's scope."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.core.commands import ActionCommand, acting_as
from guanhuai.funds import documents, selectors
from guanhuai.funds.models import Fund
from guanhuai.funds.permissions import VIEW_FUNDS
from guanhuai.orgs import selectors as org_selectors


class Command(ActionCommand):
    help = "基金账目：对账检查、基金收支报表、收据缺号报告。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{reconcile,statement,gaps}")

        sub.add_parser(
            "reconcile",
            help="检查整本账：每笔交易借贷平衡、余额不为负、业务记录与账目一致；有问题时退出码为1",
        )

        p = sub.add_parser("statement", help="打印一个基金一年的收支报表")
        p.add_argument("--fund", type=int, required=True, help="基金ID")
        p.add_argument("--year", type=int, default=timezone.localdate().year)
        p.add_argument("--user", help="以该用户的权限查看")

        p = sub.add_parser("gaps", help="列出一个组织一年中作废和缺失的收据号；有缺号时退出码为1")
        p.add_argument("--unit", required=True, help="开具收据的组织的区划代码")
        p.add_argument("--year", type=int, default=timezone.localdate().year)
        p.add_argument("--user", help="以该用户的权限查看")

    def handle_reconcile(self, **_opts: Any) -> None:
        rec = selectors.reconcile()
        self.stdout.write(_("交易：%(n)d 笔") % {"n": rec.transactions})
        self.stdout.write(_("分录：%(n)d 条") % {"n": rec.entries})
        if rec.ok:
            self.stdout.write(self.style.SUCCESS(_("对账通过：没有发现问题。")))
            return
        self.stdout.write(_("问题：%(n)d 个") % {"n": len(rec.problems)})
        for problem in rec.problems:
            self.stdout.write(f"  - {problem}")
        raise CommandError(_("对账未通过：发现 %(n)d 个问题。") % {"n": len(rec.problems)}, returncode=1)

    def handle_statement(self, *, fund: int, year: int, user: str | None, **_opts: Any) -> None:
        with acting_as(user) as actor:
            self._statement(actor, fund, year)

    def _statement(self, actor: Actor | None, fund: int, year: int) -> None:
        obj: Fund | None
        if actor is not None:
            obj = selectors.fund_get(actor=actor, fund_id=fund)
        else:
            # Operator read, as `guanhuai job show` without --user.
            obj = Fund.objects.select_related("org_unit").filter(pk=fund).first()
        if obj is None:
            raise CommandError(_("基金不存在：%(id)s") % {"id": fund})
        st = selectors.fund_statement(obj, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
        self.stdout.write(documents.statement_table(st))

    def handle_gaps(self, *, unit: str, year: int, user: str | None, **_opts: Any) -> None:
        with acting_as(user) as actor:
            self._gaps(actor, unit, year)

    def _gaps(self, actor: Actor | None, unit: str, year: int) -> None:
        if actor is not None:
            org_unit = org_selectors.unit_get_by_code(actor=actor, code=unit, perm=VIEW_FUNDS)
        else:
            org_unit = org_selectors.public_unit(code=unit)
        report = selectors.receipt_gap_report(org_unit=org_unit, year=year)
        voided = [r for r in report if r["status"] == "voided"]
        missing = [r for r in report if r["status"] == "missing"]
        self.stdout.write(
            _("%(unit)s（%(code)s）%(year)d 年收据：作废 %(v)d 张，缺号 %(m)d 个")
            % {
                "unit": org_unit.name,
                "code": org_unit.code,
                "year": year,
                "v": len(voided),
                "m": len(missing),
            }
        )
        for r in report:
            if r["status"] == "voided":
                self.stdout.write(f"  {r['number']}  {_('作废')}  {r['reason']}")
            else:
                self.stdout.write(f"  #{r['seq']:06d}  {_('缺号')}")
        if missing:
            raise CommandError(_("有 %(n)d 个收据号既未开具也未作废。") % {"n": len(missing)}, returncode=1)
