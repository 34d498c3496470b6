"""`guanhuai project_types list` shows the project types and their lists (activity kinds, venue kinds,
participant fields, outcome indicators, approval steps); `guanhuai project_types install` writes the five
built-in types into a new database (idempotent: a type that exists keeps its lists). Types are province-wide
data, so neither needs a user."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from guanhuai.core.commands import ActionCommand
from guanhuai.projects import selectors, services
from guanhuai.projects.models import CONFIG_KEYS


class Command(ActionCommand):
    help = "项目类型：列出各类型的活动类型、场所类型、参与人字段、成效指标和审批环节，或写入五个内置类型。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("list", help="列出项目类型")
        sub.add_parser("install", help="写入内置项目类型（已有的不改）")

    def handle_list(self, **options: Any) -> None:
        for row in selectors.type_list():
            mark = _("内置") if row.is_builtin else _("本省自定义")
            self.stdout.write(f"{row.code}\t{row.name}\t{mark}")
            for key in CONFIG_KEYS:
                labels = "、".join(f"{e['label']}（{e['code']}）" for e in row.entries(key))
                self.stdout.write(f"  {key}: {labels or '—'}")

    def handle_install(self, **options: Any) -> None:
        before = selectors.type_list().count()
        rows = services.install_builtin_types()
        added = selectors.type_list().count() - before
        self.stdout.write(
            _("内置项目类型 %(n)d 个，本次新写入 %(added)d 个。") % {"n": len(rows), "added": added}
        )
