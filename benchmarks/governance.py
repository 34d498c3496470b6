"""`guanhuai bench governance`: village self-governance at the scale of one large village. Each part measures
its own paths; `--only NAME` runs one. Parts register in PARTS (name → function(options, write) → report):

- `diff` (documents): a clause-level diff of two 300-clause versions of a village's rules, target < 200 ms,
  both for a revision drafted from the version in force (clauses matched by lineage) and for two imported
  texts without lineage (matched by identical text); against the naive way, which fetches each clause's
  counterpart with a query of its own.
- `meetings` (assemblies, `benchmarks/governance_meetings.py`): the roll of a 20,000-adult village (< 1 s) and
  a sign-in with its quorum update (< 50 ms), each against the naive way.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from guanhuai.governance import selectors, services
from guanhuai.governance.diff import ADDED, CHANGED, REMOVED, diff
from guanhuai.governance.models import Clause, DocumentVersion
from guanhuai.governance.parse import Parsed, ParsedClause
from guanhuai.governance.states import DocumentKind
from guanhuai.governance.text import normalise
from guanhuai.orgs.models import OrgUnit
from guanhuai.orgs.services import unit_create
from guanhuai.web.demo.system import system_user

HELP = "村民自治：文本修订对照（300条）、两万成年人的村的会议名册与签到"

CLAUSES = 300
TARGETS = {"diff_ms": 200.0}


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def bench_village() -> OrgUnit:
    """The bench's one village (富龙村 of the demo's tree), made once per scratch database."""
    found = OrgUnit.objects.filter(code="440224100200").first()
    if found is not None:
        return found
    system = system_user()
    parent = None
    for code, name, level, kind in [
        ("440000", "广东省", "province", ""),
        ("440200", "韶关市", "city", ""),
        ("440224", "仁化县", "county", ""),
        ("440224100000", "百侯镇", "township", "town"),
        ("440224100200", "富龙村", "village", "village"),
    ]:
        parent = unit_create(
            actor=system, parent=parent, code=code, name=name, level=level, kind=kind, audit=False
        )
    assert parent is not None
    return parent


# --- diff -------------------------------------------------------------------------------------------------


def _clause_text(i: int) -> str:
    return (
        f"第{i}项事务：村民应当遵守本条关于公共事务第{i}项的约定，"
        f"爱护集体财产，维护邻里和睦，共同建设美丽乡村（编号{i:04d}）。"
    )


def _parsed(texts: list[str]) -> Parsed:
    return Parsed(
        clauses=[
            ParsedClause((i - 1) // 30 + 1, f"第{(i - 1) // 30 + 1}部分", i, t)
            for i, t in enumerate(texts, 1)
        ]
    )


def _naive(first: DocumentVersion, second: DocumentVersion) -> int:
    """Each clause of the second version fetches its counterpart in the first with a query of its own."""
    changed = 0
    for clause in second.clauses.order_by("position"):
        old = Clause.objects.filter(version=first, pk=clause.origin_id).first() if clause.origin_id else None
        if old is None:
            old = Clause.objects.filter(version=first, text=clause.text).first()
        if old is None or normalise(old.text) != normalise(clause.text):
            changed += 1
    return changed


def run_diff(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    runs = max(1, options.get("runs") or 5)
    village = bench_village()
    system = system_user()
    texts = [_clause_text(i) for i in range(1, CLAUSES + 1)]
    started = time.perf_counter()
    in_force = services.version_import(
        actor=system,
        unit=village,
        kind=DocumentKind.VILLAGE_RULES,
        parsed=_parsed(texts),
        adopted_note="基准数据",
    )
    draft = services.version_draft(actor=system, document=in_force.document)
    clauses = list(draft.clauses.order_by("position"))
    # a revision: 30 clauses edited, 5 removed, 5 added (one service call each, as a clerk would)
    for clause in clauses[10:300:10]:
        services.clause_save(
            actor=system, version=draft, clause=clause, text=clause.text + "违者由村民委员会批评教育。"
        )
    for clause in clauses[5:55:10]:
        services.clause_remove(actor=system, clause=clause)
    for n in (20, 80, 140, 200, 260):
        services.clause_save(actor=system, version=draft, text=f"新增条款：第{n}条之前的补充约定。", before=n)
    # two imported texts without lineage (another village's, say): 300 and 300 with 20 edited
    other = [t.replace("美丽乡村", "和美乡村") if i % 15 == 0 else t for i, t in enumerate(texts)]
    charter_a = services.version_import(
        actor=system, unit=village, kind=DocumentKind.CHARTER, parsed=_parsed(texts), adopted_note="基准数据"
    )
    charter_b = services.version_import(
        actor=system, unit=village, kind=DocumentKind.CHARTER, parsed=_parsed(other)
    )
    build_s = time.perf_counter() - started
    write(f"—— 文本修订对照（数据库：{connection.vendor}）——")
    write(f"两份各 {CLAUSES} 条的文本及其修订稿（{build_s:.1f} 秒）")
    report: dict[str, Any] = {"database": connection.vendor, "clauses": CLAUSES}
    for label, a, b in (("lineage", in_force, draft), ("text", charter_a, charter_b)):

        def fetch_and_diff(a: DocumentVersion = a, b: DocumentVersion = b) -> Any:
            return selectors.version_diff(actor=system, first_id=a.pk, second_id=b.pk)[2]

        seconds, result = _median(fetch_and_diff, runs)
        pure_s, _ = _median(
            lambda a=a, b=b: diff(selectors.version_clauses(a), selectors.version_clauses(b)), runs
        )
        naive_s, naive_changed = _median(lambda a=a, b=b: _naive(a, b), max(1, runs // 2))
        ms = seconds * 1000
        report[label] = {
            "ms": ms,
            "diff_only_ms": pure_s * 1000,
            "naive_ms": naive_s * 1000,
            "changed": result.count(CHANGED),
            "added": result.count(ADDED),
            "removed": result.count(REMOVED),
        }
        verdict = "达标" if ms < TARGETS["diff_ms"] else "未达标"
        how = "按修订来源配对" if label == "lineage" else "按相同文本配对（无修订来源）"
        write(
            f"对照（{how}）：修改 {result.count(CHANGED)}、新增 {result.count(ADDED)}、删除 {result.count(REMOVED)} 条，"
            f"读取两版并对照 {ms:.1f} 毫秒（目标 < {TARGETS['diff_ms']:g} 毫秒）{verdict}"
            f"（其中读取后的对照计算 {pure_s * 1000:.1f} 毫秒）；"
            f"逐条查询的做法 {naive_s * 1000:.0f} 毫秒（快 {naive_s / seconds:.0f} 倍）"
        )
    return report


def run_meetings(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    from benchmarks import governance_meetings

    governance_meetings.run(options, write)
    return {}


# name → the part's function.
PARTS: dict[str, Callable[[dict[str, Any], Callable[[str], None]], dict[str, Any]]] = {
    "diff": run_diff,
    "meetings": run_meetings,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", choices=list(PARTS), default="", help="只运行其中一部分。")
    parser.add_argument("--runs", type=int, default=5, help="每项计时取几次的中位数（默认 5）。")


def run(options: dict[str, Any], write: Callable[[str], Any]) -> dict[str, Any]:
    report = {}
    for name, part in PARTS.items():
        if options.get("only") and options["only"] != name:
            continue
        report[name] = part(options, write)
    return report
