"""/api/v1/projects/{id}/activities: a township cadre logs a Youth Health activity and its photo over the API,
the county reads it in the project's list and outcome totals; bad input gets the page's refusals; another
county's officer gets the 404 of a missing project."""

from __future__ import annotations

import pytest

from guanhuai.projects.models_outcomes import Activity
from guanhuai.projects.tests.factories_outcomes import running_project

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def project(tree, types):
    return running_project(types["youth_health"], tree.county, area=[tree.town_a])


def _body(tree, **change):
    return {
        "kind": "peer_education",
        "venue_kind": "school",
        "venue_unit_id": tree.town_a.pk,
        "venue_name": "甲镇中学",
        "held_on": "2025-05-10",
        "participants": 22,
        "counts": {"male": 10, "female": 12, "age_15_19": 22},
        "respondents": 20,
        "knowledge_pre": "61.5",
        "knowledge_post": "84.0",
        **change,
    }


def test_a_township_cadre_logs_an_activity_and_its_photo_and_the_county_sees_them(api, tree, staff, project):
    town = api(staff.town)
    created = town.post(f"/projects/{project.pk}/activities", _body(tree))
    assert created.status_code == 201, created.data
    activity = created.data
    assert (activity["participants"], activity["counts"], activity["venue_unit_name"]) == (
        22,
        {"male": 10, "female": 12, "age_15_19": 22},
        "甲镇",
    )
    assert (activity["knowledge_pre"], activity["knowledge_post"], activity["photo_ids"]) == (
        "61.50",
        "84.00",
        [],
    )
    photo = town.upload(f"/projects/{project.pk}/activities/{activity['id']}/photos", "活动.png", PNG)
    assert photo.status_code == 201 and photo.data["kind"] == "photo"
    # the same photo again: 409, nothing added
    again = town.upload(f"/projects/{project.pk}/activities/{activity['id']}/photos", "活动.png", PNG)
    assert again.status_code == 409 and again.data["code"] == "duplicate_document"
    # the county officer reads it in the project's activities and in the project's outcome totals
    county = api(staff.county)
    listed = county.get(f"/projects/{project.pk}/activities").data
    assert listed["count"] == 1 and listed["items"][0]["photo_ids"] == [photo.data["id"]]
    totals = county.get(f"/projects/{project.pk}/outcomes").data["totals"]
    assert (totals["activities"], totals["participants"], totals["respondents"]) == (1, 22, 20)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"participants": 23}, 422, "participants_mismatch"),
        ({"participants": -1}, 422, "count_negative"),
        ({"held_on": "2030-01-01"}, 422, "activity_outside_dates"),
        ({"venue_kind": "moon"}, 422, "venue_kind"),
        ({"knowledge_post": "120"}, 422, "score_range"),
        ({"venue_unit_id": 987654321}, 422, "venue_outside_area"),
    ],
)
def test_bad_activity_input_is_refused_with_the_pages_reason_and_saves_nothing(
    api, tree, staff, project, change, status, code
):
    response = api(staff.town).post(f"/projects/{project.pk}/activities", _body(tree, **change))
    assert (response.status_code, response.data["code"]) == (status, code), response.data
    assert not Activity.objects.exists()


def test_a_place_outside_the_project_area_is_refused(api, tree, staff, project):
    response = api(staff.county).post(
        f"/projects/{project.pk}/activities", _body(tree, venue_unit_id=tree.town_b.pk)
    )
    assert (response.status_code, response.data["code"]) == (422, "venue_outside_area")
    assert "乙镇" not in response.data["message"]  # the answer names no branch
    assert not Activity.objects.exists()


def test_another_countys_officer_gets_the_404_of_a_missing_project(api, tree, staff, project):
    outsider = api(staff.other_county)
    for pid in (project.pk, 987654321):
        assert outsider.get(f"/projects/{pid}/activities").status_code == 404
        assert outsider.post(f"/projects/{pid}/activities", _body(tree)).status_code == 404
        assert outsider.upload(f"/projects/{pid}/activities/1/photos", "a.png", PNG).status_code == 404
    assert not Activity.objects.exists()
