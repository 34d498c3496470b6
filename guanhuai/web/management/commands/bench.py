"""`guanhuai bench <name>`: benchmarks from the repository's `benchmarks/` folder, each in a scratch
database (see benchmarks/scratch.py). Add a benchmark by adding a module there and a line to BENCHES."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# name → module under benchmarks/ with HELP, add_arguments(parser) and run(options, write).
BENCHES = {
    "scope": "benchmarks.scope",
    "registry": "benchmarks.registry",
    "funds": "benchmarks.funds",
    "programmes": "benchmarks.programmes",
    "load": "benchmarks.load",
    "xlsx": "benchmarks.xlsx",
    "association": "benchmarks.association",
    "governance": "benchmarks.governance",
    "projects": "benchmarks.projects",
    "portal": "benchmarks.portal",
}


def _load(module: str) -> ModuleType:
    # The benchmarks live beside the package in a source checkout, not inside it.
    root = str(settings.BASE_DIR)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise CommandError(f"{module} not found: benchmarks run from a source checkout ({exc})")


class Command(BaseCommand):
    help = "性能基准。每个基准都在临时数据库中运行，不会改动本系统的数据库。"

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
        for name, module_name in BENCHES.items():
            module = _load(module_name)
            sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
            sub.add_argument(
                "--scale", type=float, default=1.0, help="规模（0–1]，如 0.1 为十分之一；默认 1 即全国规模。"
            )
            sub.add_argument(
                "--database-url",
                default="",
                help="临时数据库地址（默认：临时目录中的 SQLite 文件）。PostgreSQL 数据库须尚不存在："
                "本命令创建它，结束后删除。",
            )
            sub.add_argument("--json", default="", help="另外把结果写入这个 JSON 文件。")
            module.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        from benchmarks import scratch

        name = options["bench"]
        module = _load(BENCHES[name])
        if scratch.is_child():
            opts = {**options, **scratch.child_options()}
            try:
                scratch.check_child_database()
                call_command("migrate", interactive=False, verbosity=0)
                scratch.check_empty()
            except scratch.ScratchError as exc:
                raise CommandError(str(exc))
            module.run(opts, self.stdout.write)
            return
        if not 0 < options["scale"] <= 1:
            raise CommandError("--scale must be in (0, 1]")
        keep = {"scale", "json", *(a.dest for a in self._bench_actions(module))}
        child_opts = {k: v for k, v in options.items() if k in keep}
        try:
            with scratch.scratch_database(options["database_url"] or None) as url:
                self.stdout.write(f"临时数据库：{url}")
                code = scratch.run_child(name, child_opts, url, self.stdout.write)
        except scratch.ScratchError as exc:
            raise CommandError(str(exc))
        if code != 0:
            raise CommandError(f"benchmark {name} failed (exit status {code})")

    @staticmethod
    def _bench_actions(module: ModuleType) -> list[Any]:
        parser = CommandParser()
        module.add_arguments(parser)
        return [a for a in parser._actions if a.dest != "help"]
