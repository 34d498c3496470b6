from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from guanhuai.funds.models import Fund, LedgerEntry


def test_bench_funds_prints_the_three_figures_and_leaves_the_database_untouched(db, tmp_path):
    out = StringIO()

    call_command(
        "bench",
        "funds",
        "--scale",
        "0.002",
        "--runs",
        "1",
        "--receipts",
        "5",
        "--service-sample",
        "3",
        "--bulk-postings",
        "20",
        "--json",
        str(tmp_path / "funds.json"),
        stdout=out,
    )

    text = out.getvalue()
    for label in ("年度基金报表 fund_statement", "全账核对 reconcile", "收据 PDF", "逐条 Python", "比值"):
        assert label in text, label
    report = json.loads((tmp_path / "funds.json").read_text(encoding="utf-8"))
    assert report["build"]["entries"] >= 2000 and report["build"]["transactions"] > 500
    assert report["reconcile"]["ok"] and report["reconcile"]["entries"] == report["build"]["entries"]
    assert report["statement"]["median"]["reconciled"] and report["statement"]["median"]["seconds"] > 0
    assert report["statement"]["median"]["ratio"] > 0
    assert report["services"]["donations"] == 3
    assert "ledger.post_many" in text
    assert report["post_many"]["postings"] == 20 and report["post_many"]["seconds"] > 0
    assert report["pdfs"].get("count") == 5 or "skipped" in report["pdfs"]
    # It ran in its own scratch database.
    assert not Fund.objects.exists() and not LedgerEntry.objects.exists()
