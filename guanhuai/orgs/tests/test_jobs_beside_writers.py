"""The branch tree import succeeds on the embedded default while another connection keeps committing
(issue 16)."""

from __future__ import annotations

import pytest

from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_submit
from guanhuai.jobs.tests.busy_sqlite import busy_sqlite_file
from guanhuai.orgs import excel
from guanhuai.orgs.jobs import IMPORT_TREE
from guanhuai.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_tree_import_succeeds_while_others_write(tree, people, tmp_path):
    with busy_sqlite_file(tmp_path):
        job_submit(
            actor=people.admin,
            kind=IMPORT_TREE,
            idempotency_key="tree",
            org_unit=tree.province,
            input_name="tree.xlsx",
            input_content=excel.template_workbook(),
        )
        job = Job.objects.get()
        parents = list(OrgUnit.objects.filter(code="440224102001").values_list("parent__name", flat=True))
    assert job.status == "succeeded", job.error
    assert parents == ["丙镇"]
