"""`guanhuai governance import FILE --village 440224100200 --kind village_rules --as USERNAME
[--adopted "2021年3月5日村民会议通过"] [--title …]`: import an existing charter or village rules from a .docx or
.txt file, clauses detected from 第一章/第一条 numbering; with `--adopted`, as the version in force (adopted
before the platform, where the adoption is on record), else as a draft. `guanhuai governance review
VERSION_ID --as USERNAME`: the legal-review warnings of a version. Acts as the named user, within that
user's villages; a refusal exits non-zero with its message."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from guanhuai.core.commands import ActionCommand, user_named
from guanhuai.governance import review, selectors, services
from guanhuai.governance.parse import parse_upload
from guanhuai.governance.permissions import DRAFT
from guanhuai.governance.states import DocumentKind
from guanhuai.orgs import selectors as org_selectors


class Command(ActionCommand):
    help = "村民自治：导入已有的自治章程、村规民约（.docx 或 .txt），查看合法性审查提示。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = sub.add_parser("import", help="导入已有文本")
        imp.add_argument("file", help=".docx 或 .txt 文件")
        imp.add_argument("--village", required=True, help="村(社区)的区划代码")
        imp.add_argument("--kind", required=True, choices=DocumentKind.values, help="文本类别")
        imp.add_argument("--as", dest="username", required=True, help="以该用户的身份和辖区执行")
        imp.add_argument("--adopted", default="", help="通过情况（填写则作为现行版本导入）")
        imp.add_argument("--title", default="", help="标题（默认“村名+类别”）")
        rev = sub.add_parser("review", help="合法性审查提示")
        rev.add_argument("version", type=int, help="版本编号（ID）")
        rev.add_argument("--as", dest="username", required=True, help="以该用户的身份和辖区执行")

    def handle_import(
        self, *, file: str, village: str, kind: str, username: str, adopted: str, title: str, **_o: Any
    ) -> None:
        actor = user_named(username)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件不存在：%(f)s") % {"f": file})
        unit = org_selectors.unit_ref(actor=actor, code=village, perm=DRAFT)
        parsed = parse_upload(path.name, path.read_bytes())
        version = services.version_import(
            actor=actor,
            unit=unit,
            kind=kind,
            parsed=parsed,
            title=title,
            adopted_note=adopted,
            source=path.name,
        )
        self.stdout.write(
            _("已导入%(unit)s%(kind)s第%(n)s版（%(status)s），共%(c)d条。")
            % {
                "unit": unit.name,
                "kind": DocumentKind(kind).label,
                "n": version.number,
                "status": version.get_status_display(),
                "c": len(parsed.clauses),
            }
        )
        for src, now in parsed.renumbered:
            self.stdout.write(_("原第%(a)s条→第%(b)s条（原文编号不连续，请核对）") % {"a": src, "b": now})
        if version.fingerprint:
            self.stdout.write(_("文本指纹（SHA-256）：%(f)s") % {"f": version.fingerprint})
        self._warnings(version)

    def handle_review(self, *, version: int, username: str, **_o: Any) -> None:
        row = selectors.version_get(actor=user_named(username), version_id=version)
        self._warnings(row)

    def _warnings(self, version: Any) -> None:
        findings = review.review(selectors.version_clauses(version))
        if not findings:
            self.stdout.write(_("合法性审查未发现提示。"))
            return
        self.stdout.write(_("合法性审查提示（供人工判断）："))
        for f in findings:
            self.stdout.write(
                _("第%(n)s条 %(title)s：“%(m)s”。%(reason)s（%(basis)s）")
                % {
                    "n": f.clause_number,
                    "title": f.title,
                    "m": f.matched,
                    "reason": f.reason,
                    "basis": f.legal_basis,
                }
            )
