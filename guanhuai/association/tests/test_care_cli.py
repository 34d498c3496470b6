"""`guanhuai care coverage`: the report from a shell, as the named user, and the audited Excel export."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from guanhuai.audit.models import AuditEntry


def test_the_county_report_and_the_gap_list_from_a_shell(tree, care):
    out = StringIO()
    call_command(
        "care", "coverage", "--unit", tree.county.code, "--as", "xiehui_county", "--gaps", "none", stdout=out
    )
    text = out.getvalue()
    assert f"{tree.town_a.name}\t1\t0\t0\t0\t0\t1" in text
    assert "王**" in text and "王建国" not in text


def test_the_gap_list_to_excel_is_audited(tree, care, tmp_path):
    target = tmp_path / "gaps.xlsx"
    out = StringIO()
    call_command(
        "care",
        "coverage",
        "--unit",
        tree.county.code,
        "--as",
        "xiehui_county",
        "--xlsx",
        str(target),
        stdout=out,
    )
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "王**"
    assert AuditEntry.objects.filter(action="association.care.exported").exists()


def test_a_branch_outside_the_users_area_is_refused(tree, care):
    with pytest.raises(CommandError, match="不存在，或您无权操作"):
        call_command("care", "coverage", "--unit", tree.town_b.code, "--as", "xiehui_a", stdout=StringIO())
