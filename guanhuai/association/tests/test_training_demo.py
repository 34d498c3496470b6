"""The demo's year of training: built set-based on the branch tree, with a course running today, and a second
run changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanhuai.association import selectors
from guanhuai.association.models import Cadre
from guanhuai.association.models_training import Attendance, Certificate, Course, CourseEnrolment
from guanhuai.association.tests.factories import training_topics
from guanhuai.web.demo import association_training


@pytest.fixture(autouse=True)
def _topics(db):
    training_topics()


def test_the_demo_builds_a_year_of_training_once(tree, people):
    # given no cadres yet (the members part's demo has not run): the training demo records its own
    with CaptureQueriesContext(connection) as queries:
        summary = association_training.demo_build(small=True)
    assert summary.built and summary.cadres_made == Cadre.objects.count() > 0
    # set-based: a bounded number of statements, not one per row
    assert len(queries.captured_queries) < 60
    assert summary.attendances == Attendance.objects.count() > 0
    assert Certificate.objects.count() == summary.certificates > 0
    # a course is running today in 仁化县, with its cadres enrolled and nobody signed in yet
    running = Course.objects.get(starts_on=timezone.localdate(), org_unit=tree.county)
    assert CourseEnrolment.objects.filter(course=running).exists()
    assert not Attendance.objects.filter(session__course=running).exists()
    # the figures see the year's training
    year = Attendance.objects.order_by("-day").values_list("day", flat=True).first().year
    figures = selectors.training_figures(actor=people.admin, year=year, unit=tree.county)
    assert figures.total.trained > 0
    # a second run changes nothing
    again = association_training.demo_build(small=True)
    assert not again.built and Course.objects.count() == summary.courses
