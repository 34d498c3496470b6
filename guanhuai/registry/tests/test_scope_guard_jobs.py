"""The scope guard (core/scopes.py, docs/scoping.md) outside a request: a job (every job has the user who
submitted it) and a command run `--as` a user read as that user would on a page. A list such a job builds
without accounts.scoping fails the job; the same list through scoping holds only the user's villages; the
operator's own command and an explicit `unscoped("why")` stay system work."""

from __future__ import annotations

import pytest

from guanhuai.accounts import scoping
from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.commands import acting_as
from guanhuai.core.scopes import UnscopedQuery, unscoped
from guanhuai.jobs import registry
from guanhuai.jobs.models import Job
from guanhuai.jobs.services import job_run, job_submit
from guanhuai.jobs.states import JobStatus
from guanhuai.registry.models import Person
from guanhuai.registry.permissions import VIEW_PERSONS
from guanhuai.registry.tests.factories import family

FORGOT = "tests.count_people_forgetting_the_scope"
SCOPED = "tests.count_people_in_scope"


@registry.register(FORGOT, "数人（忘了辖区）")
def _count_forgetting(job: Job, progress) -> None:
    # the bug the guard is for: a job that lists every village's people for whoever submitted it
    job.counts = {"people": Person.objects.filter(name__startswith="").count()}


@registry.register(SCOPED, "数人（本辖区）")
def _count_in_scope(job: Job, progress) -> None:
    job.counts = {"people": scoping.scope(Person.objects.all(), job.actor, VIEW_PERSONS).count()}


@pytest.fixture
def two_villages(tree, people):
    family(people.clerk_a, tree.village_a)
    family(user_with_role("village_clerk", tree.village_b, username="clerk_b"), tree.village_b)
    return tree


def run(kind: str, actor) -> Job:
    job, _created = job_submit(actor=actor, kind=kind, idempotency_key=f"{kind}-{actor.pk}")
    return job_run(job.pk)


def test_a_job_that_lists_without_scoping_fails_naming_the_guard(two_villages, people):
    job = run(FORGOT, people.clerk_a)

    assert job.status == JobStatus.FAILED
    assert "UnscopedQuery" in job.error


def test_a_job_that_lists_through_scoping_counts_only_the_submitters_village(two_villages, people):
    job = run(SCOPED, people.clerk_a)

    assert job.status == JobStatus.SUCCEEDED
    assert job.counts == {"people": 3}  # 甲村's family; 乙村's three are not counted


def test_work_that_says_why_crosses_branches(two_villages, people):
    job, _created = job_submit(actor=people.clerk_a, kind=FORGOT, idempotency_key="demo-count")
    with unscoped("the demo builds the province as system work"):
        assert job_run(job.pk).counts == {"people": 6}


def test_a_command_acting_as_a_user_reads_through_scoping(two_villages, people):
    with acting_as("clerk_a") as actor, pytest.raises(UnscopedQuery, match="Person"):
        list(Person.objects.all())
    with acting_as("clerk_a") as actor:
        assert scoping.scope(Person.objects.all(), actor, VIEW_PERSONS).count() == 3
    with acting_as(None) as operator:  # the operator's own view: shell and database access already
        assert operator is None and Person.objects.count() == 6
