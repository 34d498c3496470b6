"""`guanhuai bench programmes` at a tiny size prints its four figures and leaves this database alone."""

import json
from io import StringIO

from django.core.management import call_command

from guanhuai.programmes.models import Cycle, Programme


def test_bench_programmes_prints_the_figures_and_leaves_the_database_untouched(db, tmp_path):
    out = StringIO()
    call_command(
        "bench",
        "programmes",
        "--scale",
        "0.0005",
        "--runs",
        "1",
        "--json",
        str(tmp_path / "p.json"),
        stdout=out,
    )
    text = out.getvalue()
    for label in (
        "(a) 特别扶助资格计算",
        "(b) 发放周期生成",
        "裸 SQL INSERT … SELECT 下限",
        "比值",
        "(c) 银行代发文件",
        "(d) 回盘导入",
    ):
        assert label in text, label
    report = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    generation = report["generation"]
    assert generation["rows"] == generation["floor_rows"] > 0 and generation["ratio"] > 0
    # The floor runs before and after generation, the same rows each time; the ratio is to their mean.
    assert [f["rows"] for f in generation["floor_runs"]] == [generation["rows"]] * 2
    assert generation["insert_statements_seconds"] > 0 and generation["statement_ratio"] > 0
    assert report["export"]["payments"] >= 10 and report["import"]["batch_status"] == "reconciled"
    assert report["import"]["paid"] + report["import"]["failed"] == report["import"]["rows"]
    assert not Programme.objects.exists() and not Cycle.objects.exists()
