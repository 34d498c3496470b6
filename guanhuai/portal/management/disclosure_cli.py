"""The disclosure side of `guanhuai portal` (mixed into the command in `commands/portal.py`):

- `guanhuai portal import-legacy FILE… --column SITE/COLUMN/PATH [--dry-run] [--as USER]`: import old
  articles (services.legacy). System work when `--as` is not given; with it, that user's right to publish
  at the site's branch is checked and they are recorded as the importer.
- `guanhuai portal annual-report --site SLUG --year 2026 --column PATH --as USER`: draft the annual report as
  an article of that column, its figures rendered from the selectors (selectors.disclosure.annual_report).
  It goes through the workflow as any article: an approver other than the drafter publishes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from guanhuai.core.commands import user_named
from guanhuai.portal import services
from guanhuai.portal.selectors import disclosure as sel
from guanhuai.portal.services import legacy as legacy_svc
from guanhuai.portal.states import BodyFormat


def add_disclosure_actions(sub: Any) -> None:
    """`sub` is the command's sub-parsers (argparse's add_subparsers)."""
    p = sub.add_parser("import-legacy", help="导入旧网站的文章页面（去掉读音标注和网站框架）")
    p.add_argument("files", nargs="+", help="文章页面的文本文件")
    p.add_argument("--column", required=True, help="网站和栏目路径，如 gd/zwgk/wjzl")
    p.add_argument("--dry-run", action="store_true", help="只显示将导入的内容和去掉的部分，不写入")
    p.add_argument("--as", dest="username", help="以该用户的身份导入（需有发布权限）；不填为系统导入")
    p = sub.add_parser("annual-report", help="根据业务数据起草年度报告文章")
    p.add_argument("--site", required=True, help="网站网址名，如 gd")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--column", required=True, help="栏目路径，如 zwgk/wjzl")
    p.add_argument("--as", dest="username", required=True, help="起草人（门户编辑）")


class DisclosureActions(BaseCommand):
    def handle_import_legacy(
        self, *, files: list[str], column: str, dry_run: bool, username: str | None, **_opts: Any
    ) -> None:
        actor = user_named(username)
        site_slug, _sep, path = column.strip("/").partition("/")
        target = sel.column_named(site=site_slug, path=path)
        contents = []
        for name in files:
            try:
                with Path(name).open("rb") as f:
                    contents.append((Path(name).name, f.read(legacy_svc.MAX_READ)))
            except OSError as exc:
                raise CommandError(_("无法读取文件 %(f)s：%(e)s") % {"f": name, "e": exc.strerror}) from None
        results = legacy_svc.legacy_import(actor=actor, column=target, files=contents, dry_run=dry_run)
        for r in results:
            self.stdout.write(f"{r.name}: {r.label}" + (f" {r.code}" if r.code else ""))
            if r.reason:
                self.stdout.write("  " + r.reason)
            if r.article is not None:
                self.stdout.write(
                    "  "
                    + _("标题：%(t)s；发布时间：%(at)s；作者：%(a)s；正文 %(n)d 段")
                    % {
                        "t": r.article.title,
                        "at": f"{r.article.published_at:%Y-%m-%d %H:%M:%S}",
                        "a": r.article.author or "—",
                        "n": len(r.article.paragraphs),
                    }
                )
                for s in r.stripped:
                    self.stdout.write(f"  - {s.label}{_('：')}{s.text}")
        refused = sum(1 for r in results if r.outcome == legacy_svc.Outcome.REFUSED)
        if refused:
            raise CommandError(_("%(n)d 个文件不是可以导入的文章页面。") % {"n": refused})

    def handle_annual_report(self, *, site: str, year: int, column: str, username: str, **_opts: Any) -> None:
        actor = user_named(username)
        target = sel.column_named(site=site, path=column)
        if year not in sel.fund_years():
            raise CommandError(_("只能为最近几年起草年度报告：%(years)s。") % {"years": sel.fund_years()})
        report = sel.annual_report(target.site, year)
        with translation.override("zh-hans"):
            body = render_to_string("portal/disclosure/_report_body.html", {"report": report})
            title = _("%(name)s%(year)d年度报告") % {"name": target.site.name, "year": year}
        article = services.article_create(
            actor=actor, column=target, title=title, body_source=body, body_format=BodyFormat.HTML
        )
        self.stdout.write(
            _("已起草“%(t)s”（%(code)s），请提交审核。") % {"t": article.title, "code": article.code}
        )
