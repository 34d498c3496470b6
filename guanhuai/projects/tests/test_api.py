"""/api/v1/projects… : the same lifecycle and money as the pages, and the scope matrix — every endpoint that
names a project (or one of its records) answers a user of another county exactly as for a missing id."""

from __future__ import annotations

import datetime as dt

import pytest

from guanhuai.projects import services
from guanhuai.projects.tests.factories import ProjectFactory


def test_a_proposal_through_the_api_from_draft_to_spending(api, tree, types, staff, books):
    county = api(staff.county)
    created = county.post(
        "/projects",
        {
            "type_code": "youth_health",
            "unit_id": tree.county.pk,
            "name": "仁化县青春健康进社区",
            "start_date": "2025-03-01",
            "end_date": "2025-12-31",
            "area_unit_ids": [tree.town_a.pk],
            "budget_lines": [{"item": "活动", "amount": "8000.00"}],
            "targets": {"participants": 500},
        },
    )
    assert created.status_code == 201, created.json()
    pid = created.json()["id"]
    assert created.json()["budget_total"] == "8000.00" and created.json()["area"] == [tree.town_a.pk]
    assert county.post(f"/projects/{pid}/submit", {}).json()["step"] == "city"
    # approving your own proposal: 403 with the reason's code
    own = county.post(f"/projects/{pid}/review", {"decision": "pass"})
    assert own.status_code == 403 and own.json()["code"] == "wrong_level"
    assert api(staff.city).post(f"/projects/{pid}/review", {"decision": "pass"}).status_code == 200
    assert (
        api(staff.province).post(f"/projects/{pid}/review", {"decision": "pass"}).json()["status"]
        == "approved"
    )
    funding = api(staff.manager).post(
        f"/projects/{pid}/fundings", {"allocation_id": books.allocation.pk, "amount": "8000.00"}
    )
    assert funding.status_code == 201 and funding.json()["amount"] == "8000.00"
    finance = api(staff.finance)
    body = {"amount": "5000.00", "spent_on": "2025-06-01", "payee": "某社区"}
    first = finance.post(
        f"/projects/fundings/{funding.json()['id']}/spendings", body, headers={"Idempotency-Key": "a1"}
    )
    again = finance.post(
        f"/projects/fundings/{funding.json()['id']}/spendings", body, headers={"Idempotency-Key": "a1"}
    )
    assert (first.status_code, again.status_code, again.json()["id"]) == (201, 200, first.json()["id"])
    over = finance.post(f"/projects/fundings/{funding.json()['id']}/spendings", {**body, "amount": "3000.01"})
    assert over.status_code == 409 and over.json()["code"] == "insufficient_funds"
    assert "不足支付 ¥3,000.01" in over.json()["message"]
    detail = county.get(f"/projects/{pid}").json()
    assert (detail["allocated"], detail["spent"], detail["status"]) == ("8000.00", "5000.00", "in_progress")


def test_closing_with_an_overdue_final_report_is_409_over_the_api(api, tree, types, staff):
    project = ProjectFactory(org_unit=tree.county, type=types["youth_health"], status="in_progress")
    project.reports.create(kind="final", title="结项报告", due_on=dt.date(2026, 1, 30))
    response = api(staff.province).post(
        f"/projects/{project.pk}/close", {"rating": "good", "evaluation": "完成"}
    )
    assert response.status_code == 409 and response.json()["code"] == "report_overdue"


def test_bad_input_over_the_api_is_422_with_the_services_message(api, tree, types, staff):
    county = api(staff.county)
    body = {
        "type_code": "youth_health",
        "unit_id": tree.county.pk,
        "name": "项目",
        "start_date": "2025-03-01",
        "end_date": "2025-12-31",
    }
    assert county.post("/projects", {**body, "type_code": "no-such"}).json()["code"] == "type_code"
    outside = county.post("/projects", {**body, "unit_id": tree.other_county.pk})
    assert outside.status_code == 422 and outside.json()["code"] == "unknown_unit"
    bad = county.post("/projects", {**body, "budget_lines": [{"item": "活动", "amount": "12.345"}]})
    assert bad.status_code == 422


@pytest.fixture
def theirs(tree, types, staff, books):
    """A 仁化县 project with one of each record, for a 始兴县 officer to try."""
    project = ProjectFactory(org_unit=tree.county, type=types["youth_health"], status="in_progress")
    funding = services.project_fund(
        actor=staff.manager, project=project, allocation=books.allocation, amount="100"
    )
    milestone = project.milestones.create(title="里程碑", due_on=dt.date(2025, 5, 1))
    report = project.reports.create(kind="progress", title="报告", due_on=dt.date(2025, 5, 1))
    return {"project": project.pk, "funding": funding.pk, "milestone": milestone.pk, "report": report.pk}


ENDPOINTS = [
    ("get", "/projects/{project}", None),
    ("get", "/projects/{project}/fundings", None),
    ("get", "/projects/{project}/spendings", None),
    ("get", "/projects/{project}/milestones", None),
    ("get", "/projects/{project}/reports", None),
    ("get", "/projects/{project}/documents", None),
    ("post", "/projects/{project}/submit", {}),
    ("post", "/projects/{project}/withdraw", {}),
    ("post", "/projects/{project}/review", {"decision": "pass"}),
    ("post", "/projects/{project}/close", {"rating": "good", "evaluation": "好"}),
    ("post", "/projects/{project}/fundings", {"amount": "1.00", "items": "物资"}),
    (
        "post",
        "/projects/fundings/{funding}/spendings",
        {"amount": "1.00", "spent_on": "2025-06-01", "payee": "某"},
    ),
    ("post", "/projects/{project}/milestones", {"title": "x", "due_on": "2025-06-01"}),
    ("post", "/projects/milestones/{milestone}/done", {}),
    ("post", "/projects/{project}/reports", {"title": "x", "due_on": "2025-06-01"}),
    ("post", "/projects/reports/{report}/submit", {"body": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_scope_matrix_another_countys_officer_gets_the_404_of_a_missing_id(
    api, tree, staff, theirs, method, path, body
):
    outsider = api(staff.other_county)
    missing = {key: 987654321 for key in theirs}
    send = getattr(outsider, method)
    args = (body,) if method == "post" else ()
    seen = send(path.format(**theirs), *args)
    absent = send(path.format(**missing), *args)
    assert seen.status_code == absent.status_code == 404
    assert seen.json()["code"] == absent.json()["code"]


def test_the_list_endpoint_shows_only_the_callers_projects(api, tree, types, staff):
    ProjectFactory(org_unit=tree.county, type=types["youth_health"], name="仁化县项目")
    ProjectFactory(org_unit=tree.other_county, type=types["youth_health"], name="始兴县项目")
    names = [row["name"] for row in api(staff.other_county).get("/projects").json()["items"]]
    assert names == ["始兴县项目"]
    assert len(api(staff.city).get("/projects").json()["items"]) == 2
    assert len(api(staff.city).get("/projects", type="three_combinations").json()["items"]) == 0
