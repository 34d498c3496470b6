"""`guanhuai care coverage --unit 440224 --as USERNAME [--on 2026-12-31] [--gaps none] [--xlsx FILE]`: the
"三个全覆盖" report of special-family care for a branch, one line per child branch, from a shell; with
`--gaps`, the families missing that coverage (names masked); with `--xlsx`, the gap list as Excel (audited,
like the page's export). It acts as the named user and sees only that user's branches."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.association import services
from guanhuai.association.permissions import VIEW_CARE
from guanhuai.association.selectors import care as selectors
from guanhuai.core.errors import DomainError
from guanhuai.core.masking import mask_name
from guanhuai.orgs import selectors as org_selectors

GAPS = ["none", "any", "liaison", "doctor", "fast_lane"]


class Command(BaseCommand):
    help = "计生特殊家庭“三个全覆盖”：按下级单位统计联系人、家庭医生签约和就医绿色通道，列出或导出缺项家庭。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        coverage = sub.add_parser("coverage", help="覆盖情况统计")
        coverage.add_argument("--unit", required=True, help="单位的区划代码，如 440224")
        coverage.add_argument("--as", dest="username", required=True, help="以该用户的身份和辖区执行")
        coverage.add_argument("--on", help="统计日期 YYYY-MM-DD（默认今天）")
        coverage.add_argument("--gaps", choices=GAPS, help="另外列出缺该项的家庭（户主姓名已遮掩）")
        coverage.add_argument("--xlsx", help="把缺项家庭导出到这个 Excel 文件（与 --gaps 一起用，默认 none）")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            actor = User._default_manager.get_by_natural_key(options["username"])
        except User.DoesNotExist:
            raise CommandError(_("用户不存在：%(name)s") % {"name": options["username"]})
        try:
            day = dt.date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
        except ValueError:
            raise CommandError(_("日期“%(d)s”格式不对，应为 2026-12-31 这样的格式。") % {"d": options["on"]})
        try:
            unit = org_selectors.unit_ref(actor=actor, code=options["unit"], perm=VIEW_CARE)
            rows, total = selectors.coverage_report(actor=actor, unit=unit, on=day)
        except DomainError as exc:
            raise CommandError(str(exc))
        self.stdout.write(_("%(unit)s 计生特殊家庭关爱覆盖（%(day)s）") % {"unit": unit.name, "day": day})
        header = [
            _("单位"),
            _("特殊家庭"),
            _("全覆盖"),
            _("联系人"),
            _("家庭医生"),
            _("绿色通道"),
            _("三项都没有"),
        ]
        self.stdout.write("\t".join(str(h) for h in header))
        for r in [*rows, total]:
            name = _("合计") if r is total else (r.unit.name if r.unit else "—")
            self.stdout.write(
                "\t".join(
                    str(v) for v in (name, r.families, r.all_three, r.liaison, r.doctor, r.fast_lane, r.none)
                )
            )
        gap = options["gaps"] or ("none" if options["xlsx"] else None)
        if gap and not options["xlsx"]:
            self.stdout.write("")
            for h in selectors.coverage_gaps(actor=actor, unit=unit, gap=gap, on=day).iterator():
                self.stdout.write(
                    f"{h.org_unit.name}\t{mask_name(h.head.name if h.head else '')}\t{h.address}"
                )
        if options["xlsx"]:
            with open(options["xlsx"], "wb") as out:
                n = services.care_gaps_export(actor=actor, unit=unit, gap=gap or "none", out=out)
            self.stdout.write(_("已导出 %(n)d 户到 %(file)s。") % {"n": n, "file": options["xlsx"]})
