"""`guanhuai governance import` and `review`: an existing charter from a text file, within the user's
villages, and its warnings printed; a village outside scope or a bad file exits with the reason."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from guanhuai.governance.models import DocumentVersion

SOURCE = "甲村村规民约\n第一章 总则\n第一条 全体村民共同遵守。\n第二条 建房前向村委会缴纳押金。\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command("governance", *args, stdout=out)
    return out.getvalue()


def test_import_a_text_file_in_force_and_print_its_warnings(tmp_path, tree, people):
    path = tmp_path / "村规民约.txt"
    path.write_text(SOURCE, encoding="utf-8")
    out = run(
        "import",
        str(path),
        "--village",
        tree.village_a.code,
        "--kind",
        "village_rules",
        "--as",
        "clerk_a",
        "--adopted",
        "2020年村民会议通过",
    )
    version = DocumentVersion.objects.get()
    assert version.status == "adopted" and version.clauses.count() == 2
    assert "共2条" in out and version.fingerprint in out and "第2条 押金、保证金" in out
    assert "第2条 押金、保证金" in run("review", str(version.pk), "--as", "reviewer_a")


def test_import_refuses_another_village_and_an_unreadable_file(tmp_path, tree, people):
    path = tmp_path / "a.txt"
    path.write_text(SOURCE, encoding="utf-8")
    with pytest.raises(CommandError, match="不存在，或您无权操作"):
        run(
            "import",
            str(path),
            "--village",
            tree.village_b.code,
            "--kind",
            "village_rules",
            "--as",
            "clerk_a",
        )
    bad = tmp_path / "a.docx"
    bad.write_bytes(b"junk")
    with pytest.raises(CommandError, match="无法读取这个Word文件"):
        run("import", str(bad), "--village", tree.village_a.code, "--kind", "charter", "--as", "clerk_a")
    assert not DocumentVersion.objects.exists()
