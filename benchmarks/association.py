"""`guanhuai bench association`: the association's records at the scale of one large province (5,000,000
members, 300,000 special families, 1,000,000 training attendances at --scale 1). Each part of the app
measures its own paths in its own module (`association_members`, `association_training`,
`association_care`), which this one runs in turn on one scratch database."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Any

HELP = "协会建设：会员、培训、特殊家庭关爱（默认规模为一个大省）"

PARTS = ["benchmarks.association_members", "benchmarks.association_training", "benchmarks.association_care"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only", choices=["members", "training", "care"], default="", help="只运行其中一部分。"
    )


def run(options: dict[str, Any], write: Callable[[str], Any]) -> None:
    for name in PARTS:
        if options.get("only") and not name.endswith(options["only"]):
            continue
        importlib.import_module(name).run(options, write)
