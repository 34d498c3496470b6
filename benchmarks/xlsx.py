"""`guanhuai bench xlsx`: the two streaming Excel writers on the registry export's rows.

The registry export (and the other big exports) write through `guanhuai.core.xlsx_stream.XlsxStream`,
which has two engines: xlsxwriter in constant-memory mode and openpyxl in write-only mode. This writes the
same 100,000 rows (× --scale), in the export's 17 columns and with the values its column functions give,
with each engine, and prints the seconds (median of --runs, the engines taking turns within each run), the
rows per second, the file size and, with --memory, the peak Python memory of one traced run. The database is not
involved: the export's query is the same whichever engine writes, so only the writing is compared (the
whole export, query included, is timed by `guanhuai bench registry`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from guanhuai.core.xlsx_stream import ENGINES, XlsxStream
from guanhuai.registry import exports

HELP = "Excel 流式写入基准：用两种引擎（xlsxwriter 常量内存模式、openpyxl 只写模式）写出 10 万行户籍导出。"
ROWS = 100_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英志强丽华桂兰德明玉梅海燕俊杰淑珍红霞"


def add_arguments(parser: Any) -> None:
    parser.add_argument("--runs", type=int, default=3, help="每种引擎运行次数，取中位数（默认 3）。")
    parser.add_argument(
        "--memory", action="store_true", help="另外各运行一次并用 tracemalloc 记录 Python 内存峰值（较慢）。"
    )


def export_rows(n: int) -> list[list[Any]]:
    """n rows as the registry export writes them: the raw values of its query, through its COLUMNS."""
    rnd = random.Random(20261202)
    shows = [c[2] for c in exports.COLUMNS]
    rows = []
    for i in range(n):
        village = i // 500
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(30000))
        raw = (
            f"甲{village % 97}村",
            f"4402241{village:05d}",
            f"H{village:05d}{i % 500 // 3:04d}",
            f"韶关市仁化县甲镇{village % 97}村{i % 500}号",
            rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
            rnd.choice(("male", "female")),
            birth,
            f"440224********{rnd.randrange(10000):04d}",
            rnd.choice(("head", "spouse", "child", "parent")),
            rnd.choice(("urban", "rural")),
            "广东省韶关市仁化县",
            f"138****{rnd.randrange(10000):04d}",
            rnd.random() < 0.3,
            rnd.random() < 0.1,
            rnd.randrange(4),
            rnd.choice(("", "", "", "", "bereaved", "disabled_child")),
            None if rnd.random() < 0.97 else birth + dt.timedelta(days=20000),
        )
        rows.append([show(v) for show, v in zip(shows, raw, strict=True)])
    return rows


def write_file(engine: str, rows: list[list[Any]]) -> bytes:
    out = io.BytesIO()
    with XlsxStream(out, "户籍人口", widths=[14] * len(exports.HEADERS), engine=engine) as sheet:
        sheet.append(exports.HEADERS)
        for row in rows:
            sheet.append(row)
    return out.getvalue()


def run(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    n = max(100, round(ROWS * options["scale"]))
    rows = export_rows(n)
    runs = max(1, options.get("runs") or 3)
    times: dict[str, list[float]] = {e: [] for e in ENGINES}
    sizes: dict[str, int] = {}
    for i in range(runs):
        for engine in ENGINES if i % 2 == 0 else reversed(ENGINES):
            start = time.perf_counter()
            sizes[engine] = len(write_file(engine, rows))
            times[engine].append(time.perf_counter() - start)
            write(f"  第 {i + 1} 次 {engine}：{times[engine][-1]:.2f} 秒")
    peaks: dict[str, int] = {}
    for engine in ENGINES if options.get("memory") else ():
        tracemalloc.start()
        write_file(engine, rows)
        peaks[engine] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    report: dict[str, Any] = {"rows": n, "runs": runs, "engines": {}}
    write(f"户籍导出 {n:,} 行 × {len(exports.HEADERS)} 列，每种引擎 {runs} 次（中位数）：")
    for engine in ENGINES:
        seconds = statistics.median(times[engine])
        report["engines"][engine] = {
            "seconds": round(seconds, 3),
            "rows_per_second": round(n / seconds),
            "bytes": sizes[engine],
            "peak_python_bytes": peaks.get(engine),
        }
        memory = f"  Python 内存峰值 {peaks[engine] / 1e6:6.1f} MB" if engine in peaks else ""
        write(
            f"  {engine:<11} {seconds:6.2f} 秒  {n / seconds:9,.0f} 行/秒  文件 {sizes[engine] / 1e6:5.1f} MB"
            + memory
        )
    fastest = min(ENGINES, key=lambda e: report["engines"][e]["seconds"])
    report["fastest"] = fastest
    write(f"较快：{fastest}")
    if options.get("json"):
        with open(options["json"], "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=2)
    return report
