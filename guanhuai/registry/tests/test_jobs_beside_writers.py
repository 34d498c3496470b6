"""The registry's jobs succeed on the embedded default while other connections keep committing (issue 16):
the export reads with `.iterator()` across its progress writes, the import stages, validates and commits."""

from __future__ import annotations

import time

import pytest

from guanhuai.jobs.models import Job
from guanhuai.jobs.tests.busy_sqlite import busy_sqlite_file
from guanhuai.registry import exports, imports
from guanhuai.registry.models import Person
from guanhuai.registry.tests.factories import GOOD, family, import_xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_watched_export_succeeds_while_others_write(tree, people, tmp_path, monkeypatch):
    for _ in range(12):
        family(people.approver, tree.village_a, children=2)
    monkeypatch.setattr(exports, "CHUNK", 4)  # many progress writes inside one streamed read
    # Each row takes a moment, as rows do in a 100,000-row export, so the writer commits during the read.
    header, field, show = exports.COLUMNS[0]
    slow = [(header, field, lambda v: time.sleep(0.002) or show(v)), *exports.COLUMNS[1:]]
    monkeypatch.setattr(exports, "COLUMNS", slow)
    with busy_sqlite_file(tmp_path):
        job = exports.export_submit(actor=people.approver, params={}, request_key="k")
        job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.counts["rows"] == Person.objects.count() == 48


def test_an_import_validates_and_commits_while_others_write(tree, people, tmp_path):
    with busy_sqlite_file(tmp_path):
        batch, _created = imports.batch_submit(
            actor=people.reviewer_a, org_unit=tree.town_a, content=import_xlsx(GOOD), file_name="户籍.xlsx"
        )
        batch.refresh_from_db()
        imports.commit_submit(actor=people.reviewer_a, batch=batch)
        jobs = list(Job.objects.order_by("pk").values_list("kind", "status", "error"))
        imported = Person.objects.count()
    assert jobs == [(imports.IMPORT_VALIDATE, "succeeded", ""), (imports.IMPORT_COMMIT, "succeeded", "")]
    assert imported == 6
