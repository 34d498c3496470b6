"""Re-confirmation and cycle generation succeed on the embedded default while another connection keeps
committing (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest

from guanhuai.jobs.models import Job
from guanhuai.jobs.tests.busy_sqlite import busy_sqlite_file
from guanhuai.programmes.services import cycles
from guanhuai.programmes.services.enrolments import reconfirmation_submit
from guanhuai.programmes.tests.cycle_fixtures import enrol, person, programme

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = dt.date(2026, 11, 28)  # a re-confirmation day after every enrolment below started


@pytest.fixture
def enrolled(tree, staff):
    prog = programme(tree, staff, amount="590.00")
    for i, unit in enumerate([tree.village_a, tree.community_a, tree.village_b] * 3):
        enrol(prog, person(staff.registrar, unit, f"王{i}号"), start="2026-01-01")
    return prog


def test_cycle_generation_succeeds_while_others_write(staff, enrolled, tmp_path):
    with busy_sqlite_file(tmp_path):
        cycle, _created = cycles.cycle_generate(actor=staff.finance, programme=enrolled, period="2026-12")
        job = Job.objects.get(pk=cycle.job_id)
    assert job.status == "succeeded", job.error
    assert job.counts["entitlements"] == 9


def test_reconfirmation_succeeds_while_others_write(people, staff, enrolled, tmp_path):
    with busy_sqlite_file(tmp_path):
        job, _created = reconfirmation_submit(actor=people.approver, programme=enrolled, as_of=AS_OF)
        job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.progress_done == job.progress_total > 0
