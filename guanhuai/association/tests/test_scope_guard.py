"""The scope guard over the association's branch-owned models: listed without scoping inside a request, each
one raises; through its selector it passes; system work says why."""

from __future__ import annotations

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import models as m
from guanhuai.association import selectors
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    Trainer,
)
from guanhuai.association.tests.factories import MemberFactory
from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed, unscoped

GUARDED = [
    m.Member, m.Cadre, m.Registration, m.Body, m.Seat, m.MemberGroup, m.Campaign, m.CampaignEntry,
    m.MembersDayEvent, m.MemberImport, m.VolunteerTeam, m.Volunteer, m.VolunteerService, m.CareArrangement,
    m.Visit, m.FollowUp, m.JointMeeting, m.ActionItem, m.DelegatedTask, Trainer, Course, CourseSession,
    CourseEnrolment, Attendance, Certificate,
]  # fmt: skip


@pytest.mark.parametrize("model", GUARDED, ids=lambda model: model.__name__)
def test_each_branch_owned_model_refuses_an_unscoped_list(db, model):
    assert isinstance(model._default_manager, ScopedManager)
    with armed(), pytest.raises(UnscopedQuery, match=model.__name__):
        list(model.objects.all())


def test_a_selector_passes_and_system_work_says_why(tree):
    mine = MemberFactory(org_unit=tree.village_a)
    MemberFactory(org_unit=tree.village_b)
    officer = user_with_role("association_officer", tree.town_a, username="xiehui_guard")
    with armed():
        assert list(selectors.member_list(actor=officer)) == [mine]
        assert m.Member.objects.unscoped("a count across branches for this test").count() == 2
        with unscoped("system work in a block"):
            assert m.Member.objects.count() == 2
        with pytest.raises(UnscopedQuery):
            m.Member.objects.filter(org_unit=tree.village_b).count()
