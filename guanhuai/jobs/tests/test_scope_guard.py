"""The scope guard over job rows (`Job` carries the branch it works on): a bare list is an error while the
guard is armed; the job list (the actor's own jobs and those of their branches) passes; another county's
auditor finds the job neither on the pages nor through the API."""

from __future__ import annotations

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed
from guanhuai.jobs import selectors
from guanhuai.jobs.models import Job
from guanhuai.jobs.tests.factories import JobFactory


@pytest.fixture
def job(tree, people):
    return JobFactory(actor=people.clerk_a, org_unit=tree.village_a)


def test_a_bare_list_of_jobs_is_an_error_while_armed(job):
    assert isinstance(Job._default_manager, ScopedManager)
    with armed(), pytest.raises(UnscopedQuery, match="Job"):
        list(Job.objects.filter(org_unit=job.org_unit))
    with armed(), pytest.raises(UnscopedQuery, match="Job"):
        Job.objects.count()


def test_the_job_list_passes_and_another_countys_auditor_sees_no_job(client, api, tree, people, job):
    near = user_with_role("auditor", tree.county, username="auditor_near")
    far = user_with_role("auditor", tree.other_county, username="auditor_far")
    with armed():
        assert list(selectors.job_list(actor=people.clerk_a)) == [job]  # their own
        assert list(selectors.job_list(actor=near)) == [job]  # in their branches
        assert list(selectors.job_list(actor=far)) == []
    client.force_login(near)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    client.force_login(far)
    assert client.get("/jobs/").status_code == 200
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert api(far).get(f"/jobs/{job.pk}").status_code == 404
    assert api(near).get(f"/jobs/{job.pk}").status_code == 200
