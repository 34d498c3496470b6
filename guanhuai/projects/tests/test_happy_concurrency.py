"""Double submits of the Happy Family selection, with real threads each on its own PostgreSQL connection
(core.testing.race): two reviewers of one level deciding the same nomination at once write one decision, and
the same household nominated twice at once is one nomination."""

from __future__ import annotations

import pytest
from django.conf import settings

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.errors import Conflict
from guanhuai.core.testing import fresh, lock, outcomes, race
from guanhuai.projects import services
from guanhuai.projects.models import Project
from guanhuai.projects.models_happy import Nomination, NominationReview
from guanhuai.projects.tests.factories_happy import EVIDENCE, family, nominate, selection_project

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrency needs PostgreSQL (run with DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_township_reviewers_at_once_write_one_decision(tree, types, people):
    project = selection_project(types["happy_family"], tree.city, area=[tree.county])
    n = nominate(people.clerk_a, project, family(tree.village_a, 1))
    second = user_with_role("township_reviewer", tree.town_a, username="reviewer_a2")

    def decide(i: int) -> Nomination:
        who = fresh(people.reviewer_a if i == 0 else second)
        return services.nomination_review(
            actor=who, nomination=Nomination.objects.get(pk=n.pk), decision="recommend", step="township"
        )

    won, lost = outcomes(race(2, decide, hold=lock(n)))
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict)
    assert lost[0].code == "stale_step"
    assert NominationReview.objects.filter(nomination=n).count() == 1
    assert Nomination.objects.get(pk=n.pk).step == "county"


def test_the_same_household_nominated_twice_at_once_is_one_nomination(tree, types, people):
    project = selection_project(types["happy_family"], tree.city, area=[tree.county])
    hh = family(tree.village_a, 2)

    def submit(i: int) -> Nomination:
        return services.nomination_create(
            actor=fresh(people.clerk_a),
            project=Project.objects.unscoped("the test's project").get(pk=project.pk),
            household=hh,
            evidence=dict(EVIDENCE),
        )

    won, lost = outcomes(race(2, submit, hold=lock(project)))
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict)
    assert lost[0].code == "duplicate_nomination"
    assert Nomination.objects.filter(project=project).count() == 1
