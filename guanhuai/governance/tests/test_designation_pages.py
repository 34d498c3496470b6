"""The demonstration pages and API: the village applies on its phone, the township reviews on its desktop,
the report by branch (page and Excel), revocation, the scope matrix, and bad input answered with the reason
and changing nothing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.governance import designation_rules as rules
from guanhuai.governance import services
from guanhuai.governance.models import Designation, DesignationApplication
from guanhuai.governance.states import ApplicationStatus, DesignationStatus, Rating
from guanhuai.governance.tests.factories import FIVE_HAVES_MET, village_meeting_the_criteria


def _form(unit, rating=Rating.DEMONSTRATION, **changes):
    data = {"unit": unit.pk, "rating": rating, "note": ""}
    for code, answer in FIVE_HAVES_MET.items():
        data[f"{code}_met"] = "on"
        data[f"{code}_evidence"] = answer["evidence"]
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _designation(unit, rating, by):
    application = DesignationApplication.objects.create(
        unit=unit,
        rating=rating,
        created_by=by,
        submitted_at=timezone.now(),
        status=ApplicationStatus.APPROVED,
    )
    return Designation.objects.create(
        unit=unit,
        rating=rating,
        application=application,
        valid_from=timezone.localdate(),
        valid_until=rules.valid_until(timezone.localdate()),
    )


def test_a_village_applies_on_its_phone_and_the_township_reviews_it(client, tree, people):
    village_meeting_the_criteria(tree.village_a)
    client.force_login(people.clerk_a)
    # the indicators are shown once the village and rating are chosen
    page = client.get(
        "/governance/designations/apply/", {"unit": tree.village_a.pk, "rating": "demonstration"}
    )
    html = page.content.decode()
    assert "近一年召开过达到法定人数的村民会议" in html and "≥ 95.0%" in html and "有活动阵地" in html
    # a ticked item without evidence is refused on the form, and nothing is stored
    refused = client.post("/governance/designations/apply/", _form(tree.village_a, venue_evidence=""))
    assert "有活动阵地 未填写" in refused.content.decode()
    assert not DesignationApplication.objects.unscoped("test").exists()
    response = client.post("/governance/designations/apply/", _form(tree.village_a), follow=True)
    application = DesignationApplication.objects.unscoped("test").get()
    assert "乡镇审核" in response.content.decode() and application.unit == tree.village_a
    twice = client.post("/governance/designations/apply/", _form(tree.village_a))
    assert "已有一份申报正在审核，不能重复申报" in twice.content.decode()
    # the township reviewer sees it in the list and decides; a refusal without a reason is refused
    client.force_login(people.reviewer_a)
    assert tree.village_a.name in client.get("/governance/designations/").content.decode()
    # the work queue's link lists those waiting at one's own level: the county's approver has none yet
    assert tree.village_a.name in client.get("/governance/designations/?awaiting=1").content.decode()
    client.force_login(people.approver)
    waiting = client.get("/governance/designations/?awaiting=1").content.decode()
    assert "待我审核的申报" in waiting and tree.village_a.name not in waiting
    client.force_login(people.reviewer_a)
    url = f"/governance/designations/applications/{application.pk}/review/"
    assert "不通过须说明理由" in client.post(url, {"decision": "refuse", "comment": ""}).content.decode()
    client.post(url, {"decision": "pass", "comment": "五有齐全"})
    application.refresh_from_db()
    assert application.step == "county"
    detail = client.get(f"/governance/designations/applications/{application.pk}/").content.decode()
    assert "五有齐全" in detail and "县级审核" in detail


def test_the_report_says_how_many_villages_are_rated_and_exports_it(client, tree, people):
    _designation(tree.village_a, Rating.DEMONSTRATION, people.admin)
    _designation(tree.community_a, Rating.QUALIFIED, people.admin)
    client.force_login(people.approver)
    html = client.get("/governance/designations/report/", {"unit": tree.county.pk}).content.decode()
    assert "仁化县共 3 个村(社区)，66.7% 评为合格以上，其中示范村(社区) 1 个。" in html
    export = client.get("/governance/designations/report/", {"unit": tree.county.pk, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1] == ["甲镇", 2, 2, "100.0%", 1] and rows[-1] == ["仁化县", 3, 2, "66.7%", 1]
    client.force_login(people.reviewer_b)
    assert client.get("/governance/designations/report/", {"unit": tree.county.pk}).status_code == 404


def test_revocation_on_its_page_needs_a_reason(client, tree, people):
    designation = _designation(tree.village_a, Rating.QUALIFIED, people.clerk_a)
    client.force_login(people.admin)
    url = f"/governance/designations/{designation.pk}/"
    response = client.post(f"{url}revoke/", {"reason": ""}, follow=True)
    assert "撤销评定须说明理由" in response.content.decode()
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.IN_FORCE
    client.post(f"{url}revoke/", {"reason": "活动阵地已挪作他用"})
    page = client.get(url).content.decode()
    assert "活动阵地已挪作他用" in page and "已撤销" in page


@pytest.mark.parametrize(
    ("who", "sees_a", "sees_b"),
    [
        ("clerk_a", True, False),
        ("reviewer_a", True, False),
        ("reviewer_b", False, True),
        ("approver", True, True),
        ("auditor", True, True),
        ("treasurer", False, False),
    ],
)
def test_the_scope_matrix(api, tree, people, who, sees_a, sees_b):
    user = (
        user_with_role("finance_officer", tree.county, username="caiwu")
        if who == "treasurer"
        else getattr(people, who)
    )
    a = _designation(tree.village_a, Rating.QUALIFIED, people.admin)
    b = _designation(tree.village_b, Rating.DEMONSTRATION, people.admin)
    client = api(user)
    for designation, sees in ((a, sees_a), (b, sees_b)):
        expected = 200 if sees else 404
        assert client.get(f"/governance/designations/{designation.pk}").status_code == expected
        assert (
            client.get(f"/governance/designation-applications/{designation.application_id}").status_code
            == expected
        )
    listed = {d["id"] for d in client.get("/governance/designations").data["items"]}
    assert listed == {d.pk for d, s in ((a, sees_a), (b, sees_b)) if s}


def test_apply_review_and_report_over_the_api(api, tree, people):
    village_meeting_the_criteria(tree.village_a)
    clerk = api(people.clerk_a)
    missing = {**FIVE_HAVES_MET, "funding": {"met": False, "evidence": ""}}
    bad = clerk.post(
        "/governance/designation-applications",
        {"unit_id": tree.village_a.pk, "rating": "demonstration", "evidence": missing},
    )
    assert bad.status_code == 422 and "有工作经费" in bad.data["message"]
    created = clerk.post(
        "/governance/designation-applications",
        {"unit_id": tree.village_a.pk, "rating": "demonstration", "evidence": FIVE_HAVES_MET},
    )
    assert created.status_code == 201 and created.data["step"] == "township"
    again = clerk.post(
        "/governance/designation-applications",
        {"unit_id": tree.village_a.pk, "rating": "qualified", "evidence": FIVE_HAVES_MET},
    )
    assert again.status_code == 409
    url = f"/governance/designation-applications/{created.data['id']}/review"
    assert api(people.reviewer_b).post(url, {"decision": "pass"}).status_code == 404
    assert api(people.approver).post(url, {"decision": "pass"}).status_code == 403
    city = user_with_role("governance_officer", tree.city, username="city_officer")
    for reviewer in (people.reviewer_a, people.approver, city):
        assert api(reviewer).post(url, {"decision": "pass"}).status_code == 200
    designation = Designation.objects.unscoped("test").get()
    report = api(people.approver).get("/governance/designation-report", unit_id=tree.county.pk).data
    assert report["totals"] == {
        "unit_id": tree.county.pk,
        "unit_name": "仁化县",
        "villages": 3,
        "qualified": 1,
        "share": "33.3%",
        "demonstration": 1,
    }
    revoke = f"/governance/designations/{designation.pk}/revoke"
    assert api(people.admin).post(revoke, {"reason": ""}).status_code == 422
    assert api(people.clerk_a).post(revoke, {"reason": "x"}).status_code == 403
    assert api(people.admin).post(revoke, {"reason": "复查不合格"}).data["status"] == "revoked"


def test_the_work_queue_shows_re_evaluations_falling_due(tree, people):
    from guanhuai.governance import work

    designation = _designation(tree.village_a, Rating.DEMONSTRATION, people.admin)
    assert work.reevaluations_due(people.clerk_a).count == 0
    Designation.objects.unscoped("test").filter(pk=designation.pk).update(
        valid_until=timezone.localdate() + dt.timedelta(days=30)
    )
    item = work.reevaluations_due(people.clerk_a)
    assert item.count == 1 and item.tone == "warning"
    services.designation_revoke(actor=people.admin, designation=designation, reason="撤销")
    assert work.reevaluations_due(people.clerk_a).count == 0
