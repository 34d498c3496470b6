"""factory_boy factories for job rows: a job as the list, detail, API and CLI show it, without running one
(tests of running a job submit it through `jobs.services.job_submit`)."""

from __future__ import annotations

import factory

from guanhuai.accounts.tests.factories import UserFactory
from guanhuai.jobs.models import Job


class JobFactory(factory.django.DjangoModelFactory):
    """A queued demo job (`jobs.sleep`); pass `actor=` and `org_unit=` for scope, and any progress."""

    class Meta:
        model = Job

    actor = factory.SubFactory(UserFactory)
    kind = "jobs.sleep"
    idempotency_key = factory.Sequence(lambda n: f"job-{n}")
