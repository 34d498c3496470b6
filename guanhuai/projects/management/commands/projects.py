"""`guanhuai projects report --year 2025 --type 青春健康 [--as USERNAME] [--xlsx FILE]`: the outcome report
from a shell, the same figures as the page and the API (`selectors.outcome_report`). With `--as` it sees
that user's branches only; without, the whole province (the operator's own view)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.core.commands import ActionCommand, user_named
from guanhuai.core.money import yuan
from guanhuai.projects import selectors


class Command(ActionCommand):
    help = "协会项目：成效报告（活动、参与人、问卷分数、覆盖的市和场所类型、帮扶户增收）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        report = sub.add_parser("report", help="成效报告")
        report.add_argument("--year", type=int, help="年份，如 2025")
        report.add_argument("--type", dest="type_code", default="", help="项目类型代码或名称，如 青春健康")
        report.add_argument("--as", dest="username", help="以该用户的身份和辖区执行（默认：全省）")
        report.add_argument("--xlsx", help="同时导出到这个 Excel 文件")

    def handle_report(
        self, *, year: int | None, type_code: str, username: str | None, xlsx: str | None, **_o: Any
    ) -> None:
        # Without --as: the operator's own read of the whole province, as `guanhuai funds statement`.
        report = selectors.outcome_report(actor=user_named(username), year=year, type_code=type_code)
        out = self.stdout.write
        title = report.project_type.name if report.project_type else _("全部类型")
        out(_("项目成效报告：%(type)s，%(year)s") % {"type": title, "year": year or _("全部年份")})
        out(
            _("项目 %(p)d 个；活动 %(a)d 次；参与 %(n)d 人")
            % {"p": report.projects, "a": report.total.activities, "n": report.total.participants}
        )
        out(
            _("覆盖 %(c)d 个市、%(v)d 类场所：%(names)s")
            % {
                "c": report.coverage.cities,
                "v": report.coverage.venue_kinds,
                "names": "、".join(report.coverage.city_names),
            }
        )
        for title_, rows in (
            (_("按场所类型"), report.venues),
            (_("按市"), report.cities),
            (_("按年份"), report.years),
        ):
            if not rows:
                continue
            out("")
            out(title_)
            for r in rows:
                scores = f"\t{r.knowledge_pre} → {r.knowledge_post}" if r.knowledge_pre is not None else ""
                out(f"  {r.label}\t{r.activities}\t{r.participants}{scores}")
        i = report.income
        if i.households:
            out("")
            out(
                _(
                    "帮扶户 %(h)d 户，已跟踪 %(m)d 户，缺跟踪数据 %(x)d 户；户年均增收 平均 %(mean)s，中位数 %(median)s"
                )
                % {
                    "h": i.households,
                    "m": i.measured,
                    "x": i.missing,
                    "mean": yuan(i.mean_gain) if i.mean_gain is not None else "—",
                    "median": yuan(i.median_gain) if i.median_gain is not None else "—",
                }
            )
            for band in i.distribution:
                out(f"  {band.label}\t{band.households}")
        if xlsx:
            with open(xlsx, "wb") as handle:
                selectors.outcome_workbook(report, handle)
            out(_("已导出：%(f)s") % {"f": xlsx})
