"""The audit log has one door, `audit.services` (`log`, `log_many`, `log_select`): no other module writes
`AuditEntry` rows itself, so every entry carries the actor, the request and the branch the same way."""

import re
from pathlib import Path

import guanhuai
from guanhuai.core.testing import python_sources

ROOT = Path(guanhuai.__file__).parent
# Writing AuditEntry rows: the manager's writes, a bare constructor, or an INSERT … SELECT into its table.
_WRITES = re.compile(
    r"AuditEntry\.objects\.(?:create|bulk_create|get_or_create|update_or_create|update|delete)\b"
    r"|\bAuditEntry\("
    r"|insert_select\(\s*AuditEntry\b"
    r"|INSERT\s+INTO\s+\W?audit_auditentry",
    re.IGNORECASE,
)


def writers(root: Path) -> list[str]:
    return sorted(
        f"{path.relative_to(root.parent)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in python_sources(root)
        if "tests" not in path.parts
        and path.relative_to(root).parts[0] != "audit"
        and "migrations" not in path.parts
        for text in [path.read_text(encoding="utf-8")]
        for match in _WRITES.finditer(text)
    )


def test_no_module_outside_audit_writes_audit_entries():
    assert writers(ROOT) == []
    assert writers(ROOT.parent / "benchmarks") == []


def test_the_check_finds_each_way_of_writing(tmp_path):
    app = tmp_path / "guanhuai" / "someapp"
    app.mkdir(parents=True)
    (app / "services.py").write_text(
        "AuditEntry.objects.create(action='x')\n"
        "AuditEntry.objects.bulk_create([AuditEntry(action='y')])\n"
        "insert_select(AuditEntry, COLUMNS, rows)\n"
        "AuditEntry.objects.filter(action='x').count()\n",
        encoding="utf-8",
    )
    assert writers(tmp_path / "guanhuai") == [
        "guanhuai/someapp/services.py:1",
        "guanhuai/someapp/services.py:2",
        "guanhuai/someapp/services.py:2",
        "guanhuai/someapp/services.py:3",
    ]
