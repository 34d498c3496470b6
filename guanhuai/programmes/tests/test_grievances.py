"""Grievances (投诉) about an application: recorded, assigned, resolved or rejected, each with a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.services import grievances
from guanhuai.programmes.states import GrievanceStatus


@pytest.fixture
def application(apps, people):
    a, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    return svc.application_submit(actor=people.clerk_a, application=a)


def test_a_grievance_is_recorded_assigned_and_resolved(application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="王建国", content="审核太慢", contact="138"
    )
    assert g.status == GrievanceStatus.OPEN
    assert g.org_unit == application.org_unit

    grievances.grievance_assign(actor=people.reviewer_a, grievance=g, assignee=people.reviewer_a)
    g.refresh_from_db()
    assert (g.status, g.assigned_to) == (GrievanceStatus.IN_PROGRESS, people.reviewer_a)
    assert sel.work_queue(actor=people.reviewer_a)["grievances_mine"] == 1

    with pytest.raises(ValidationError):
        grievances.grievance_resolve(actor=people.reviewer_a, grievance=g, resolution="")
    grievances.grievance_resolve(actor=people.reviewer_a, grievance=g, resolution="已电话说明进度")
    g.refresh_from_db()
    assert g.status == GrievanceStatus.RESOLVED
    assert g.resolved_at is not None
    assert "投诉办结" in [e.text for e in sel.application_timeline(application)][-1]


def test_only_the_assignee_closes_an_assigned_grievance(application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="不公平"
    )
    grievances.grievance_assign(actor=people.reviewer_a, grievance=g, assignee=people.reviewer_a)

    with pytest.raises(PermissionDenied):
        grievances.grievance_resolve(actor=people.clerk_a, grievance=g, resolution="已处理")


def test_a_rejected_grievance_cannot_be_resolved_later(application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="重复投诉"
    )
    grievances.grievance_reject(actor=people.clerk_a, grievance=g, reason="与第1件重复")

    with pytest.raises(Conflict):
        grievances.grievance_resolve(actor=people.clerk_a, grievance=g, resolution="办结")


def test_the_assignee_must_be_able_to_handle_grievances_there(application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="不公平"
    )

    with pytest.raises(ValidationError) as exc:
        grievances.grievance_assign(actor=people.reviewer_a, grievance=g, assignee=people.reviewer_b)

    assert exc.value.code == "assignee_not_allowed"


def test_a_grievance_needs_a_subject_and_content(people, application):
    with pytest.raises(ValidationError):
        grievances.grievance_record(actor=people.clerk_a, complainant="匿名", content="没有对象")
    with pytest.raises(ValidationError):
        grievances.grievance_record(
            actor=people.clerk_a, application=application, complainant="匿名", content=""
        )


def test_another_township_cannot_see_the_grievance(application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="不公平"
    )

    with pytest.raises(NotFound):
        sel.grievance_get(actor=people.reviewer_b, grievance_id=g.pk)
    assert not sel.grievance_list(actor=people.reviewer_b).exists()


def test_assigning_to_a_user_outside_scope_or_to_a_missing_one_gives_the_same_neutral_answer(
    application, people
):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="慢"
    )

    with pytest.raises(ValidationError) as outside:
        grievances.grievance_assign(actor=people.reviewer_a, grievance=g, assignee=people.reviewer_b)
    with pytest.raises(ValidationError) as missing:
        grievances.grievance_assign(actor=people.reviewer_a, grievance=g, assignee=None)
    # a higher-level handler who holds the permission, but above the actor, is not assignable either
    with pytest.raises(ValidationError) as above:
        grievances.grievance_assign(actor=people.reviewer_a, grievance=g, assignee=people.approver)

    assert str(outside.value) == str(missing.value) == str(above.value)
    assert people.reviewer_b.name not in str(outside.value)
    g.refresh_from_db()
    assert g.assigned_to is None


def test_the_api_answers_a_user_outside_scope_and_a_missing_id_alike(client, application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="慢"
    )
    client.force_login(people.reviewer_a)
    url = f"/api/v1/grievances/{g.pk}/assign"

    outside = client.post(url, {"assignee_id": people.reviewer_b.pk}, content_type="application/json")
    missing = client.post(url, {"assignee_id": 999999}, content_type="application/json")

    assert outside.status_code == missing.status_code == 422
    assert outside.json() == missing.json()
    assert people.reviewer_b.name not in outside.content.decode()
    ok = client.post(url, {"assignee_id": people.clerk_a.pk}, content_type="application/json")
    assert ok.status_code == 200


def test_the_assignee_dropdown_offers_only_handlers_at_or_below_the_actor(client, apps, application, people):
    g = grievances.grievance_record(
        actor=people.clerk_a, application=application, complainant="匿名", content="慢"
    )
    client.force_login(people.reviewer_a)

    response = client.get(reverse("programmes:grievance_detail", args=[g.pk]))

    offered = set(response.context["assign"].fields["assignee"].queryset)
    # 甲村's two clerks and 甲镇's reviewer; not the county approver above, nor 乙镇's reviewer or 乙村's clerk
    assert offered == {people.clerk_a, apps.clerk_a2, people.reviewer_a}
