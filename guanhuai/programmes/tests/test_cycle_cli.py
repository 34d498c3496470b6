"""`guanhuai cycle …`: generate, approve, batches, export, import-results, printing counts and totals;
errors exit non-zero with the Chinese message."""

import io
import os

import pytest
from django.core.management import CommandError, call_command

from guanhuai.programmes.models import Cycle, PaymentBatch
from guanhuai.programmes.tests.cycle_fixtures import bank_result, enrol, person, programme

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cycle", *args, stdout=out)
    return out.getvalue()


def test_the_whole_cycle_from_the_command_line(tree, staff, tmp_path):
    prog = programme(tree, staff, amount="590.00", code="tefu")
    for name in ("甲", "乙"):
        enrol(prog, person(staff.registrar, tree.village_a, name))
    out = run("generate", "--programme", "tefu", "--period", "2026-12", "--as", staff.finance.username)
    assert "已生成：当期 2 笔" in out and "合计 ¥1,180.00" in out
    # twice: exits non-zero with the message
    with pytest.raises(CommandError, match="该项目 2026-12 的发放周期已生成"):
        run("generate", "--programme", "tefu", "--period", "2026-12", "--as", staff.finance.username)
    for who in (staff.approver, staff.manager):
        out = run("approve", "--programme", "tefu", "--period", "2026-12", "--as", who.username)
    assert "已审批（2/2）" in out and Cycle.objects.get().status == "approved"
    out = run("batches", "--programme", "tefu", "--period", "2026-12", "--as", staff.finance.username)
    assert "批次 tefu-2026-12-01（中国农业银行）：2 笔，¥1,180.00" in out
    out = run("export", "--batch", "tefu-2026-12-01", "--out", str(tmp_path), "--as", staff.finance.username)
    assert os.path.exists(tmp_path / "tefu-2026-12-01.csv") and "校验码" in out
    result = tmp_path / "result.csv"
    result.write_bytes(bank_result(PaymentBatch.objects.get()))
    out = run(
        "import-results", "--batch", "tefu-2026-12-01", "--file", str(result), "--as", staff.finance.username
    )
    assert "成功 2 笔，失败 0 笔，问题行 0 行" in out


def test_errors_are_messages(tree, staff):
    programme(tree, staff, code="tefu")
    with pytest.raises(CommandError, match="用户不存在"):
        run("generate", "--programme", "tefu", "--period", "2026-12", "--as", "nobody")
    with pytest.raises(CommandError, match="扶助项目不存在"):
        run("generate", "--programme", "nope", "--period", "2026-12", "--as", staff.finance.username)
    with pytest.raises(CommandError, match="格式不对"):
        run("generate", "--programme", "tefu", "--period", "2026/12", "--as", staff.finance.username)
    with pytest.raises(CommandError, match="还没有 2026-11 的发放周期"):
        run("approve", "--programme", "tefu", "--period", "2026-11", "--as", staff.approver.username)
