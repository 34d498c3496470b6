"""The scope guard over the association's branch-owned models: listed without scoping inside a request, each
one raises; through its selector it passes; system work says why."""

from __future__ import annotations

import io

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import models as m
from guanhuai.association import selectors, services
from guanhuai.association.models_imports import MemberImportRow
from guanhuai.association.models_training import (
    Attendance,
    Certificate,
    Course,
    CourseEnrolment,
    CourseSession,
    Trainer,
)
from guanhuai.association.services.members_import import HEADERS
from guanhuai.association.tests.factories import MemberFactory
from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed, unscoped
from guanhuai.core.xlsx_stream import XlsxStream

GUARDED = [
    m.Member, m.Cadre, m.Registration, m.Body, m.Seat, m.MemberGroup, m.Campaign, m.CampaignEntry,
    m.MembersDayEvent, m.MemberImport, m.VolunteerTeam, m.Volunteer, m.VolunteerService, m.CareArrangement,
    m.Visit, m.FollowUp, m.JointMeeting, m.ActionItem, m.DelegatedTask, Trainer, Course, CourseSession,
    CourseEnrolment, Attendance, Certificate, MemberImportRow,
]  # fmt: skip


@pytest.mark.parametrize("model", GUARDED, ids=lambda model: model.__name__)
def test_each_branch_owned_model_is_guarded(model):
    # a bare list of each raises while armed: core/tests/test_scope_coverage.py, for every guarded model
    assert isinstance(model._default_manager, ScopedManager)


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


def test_a_member_imports_rows_show_to_its_branch_and_are_404_to_another_county(client, api, tree):
    # given a staged member file of 仁化县 with one row in error (an ID number the registry does not know)
    officer = user_with_role("association_officer", tree.county, username="xiehui_rows")
    out = io.BytesIO()
    with XlsxStream(out, "会员") as sheet:
        sheet.append(HEADERS)
        sheet.append(["440224100001", "张三", "", "否", "2025-05-29"])
        sheet.append(["440224100001", "", "440224197001010000", "是", "2025-05-29"])
    batch, _created = services.member_import_stage(
        actor=officer, org_unit=tree.county, content=out.getvalue(), file_name="会员.xlsx"
    )
    # then its rows are read from the batch, on the page and through the API
    with armed():
        assert len(selectors.member_import_rows(batch=batch, show="errors")) == 1
        assert [r.name for r in selectors.member_import_rows(batch=batch, show="create")] == ["张三"]
    client.force_login(officer)
    assert "张三" in client.get(f"/association/members/imports/{batch.pk}/?show=create").content.decode()
    mine = api(officer).get(f"/association/member-imports/{batch.pk}?show=create")
    assert mine.status_code == 200 and "张三" in str(mine.data)
    # and another county's officer finds neither the batch nor its rows
    far = user_with_role("association_officer", tree.other_county, username="xiehui_far_rows")
    client.force_login(far)
    assert client.get(f"/association/members/imports/{batch.pk}/?show=create").status_code == 404
    assert api(far).get(f"/association/member-imports/{batch.pk}?show=create").status_code == 404
