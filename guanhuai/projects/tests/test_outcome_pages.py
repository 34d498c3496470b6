"""What users see of outcomes: the activity page, the project's sections, the province report and its Excel,
the API and the CLI all give the same figures; and everyone outside the project's branches gets a 404 or
counts nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from guanhuai.core.testing import assert_queries_flat
from guanhuai.projects.models import Activity, ParticipantCount
from guanhuai.projects.tests.factories_outcomes import income_history, running_project, youth_activity

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def town_project(tree, types):
    return running_project(types["youth_health"], tree.town_a, name="甲镇中学青春健康项目")


def _form(tree, **over):
    data = {
        "kind": "peer_education",
        "venue_kind": "school",
        "venue_unit": str(tree.village_a.pk),
        "venue_name": "甲村小学",
        "held_on": "2025-05-20",
        "participants": "30",
        "count_male": "14",
        "count_female": "16",
        "count_age_15_19": "30",
        "count_peer_educators": "3",
        "respondents": "30",
        "knowledge_pre": "61.5",
        "knowledge_post": "84",
    }
    data.update(over)
    return data


def test_a_township_cadre_logs_an_activity_with_a_photo_and_the_county_sees_it(
    client, tree, staff, town_project
):
    client.force_login(staff.town)
    url = reverse("projects:activity_log", args=[town_project.pk])
    assert client.get(url).status_code == 200
    data = _form(tree, photo=SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    response = client.post(url, data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.photos.count() == 1 and activity.participants == 30
    assert dict(ParticipantCount.objects.values_list("field", "count")) == {
        "male": 14,
        "female": 16,
        "age_15_19": 30,
        "peer_educators": 3,
    }
    client.force_login(staff.county)
    page = client.get(reverse("projects:detail", args=[town_project.pk])).content.decode()
    assert 'data-figure="participants">30<' in page and "61.50 → 84.00" in page and "甲村小学" in page


def test_the_form_says_what_is_wrong_and_saves_nothing(client, tree, staff, town_project):
    client.force_login(staff.town)
    url = reverse("projects:activity_log", args=[town_project.pk])
    page = client.post(url, _form(tree, held_on="2026-02-01")).content.decode()
    assert "不在项目实施期" in page
    page = client.post(url, _form(tree, count_female="15")).content.decode()
    assert "按性别分项之和 29" in page
    assert not Activity.objects.exists()


def test_out_of_scope_users_get_404_on_logging_and_outcomes(client, api, tree, staff, town_project):
    client.force_login(staff.other_county)
    assert client.get(reverse("projects:activity_log", args=[town_project.pk])).status_code == 404
    assert api(staff.other_county).get(f"/projects/{town_project.pk}/outcomes").status_code == 404
    assert api(staff.county).get(f"/projects/{town_project.pk}/outcomes").status_code == 200


@pytest.fixture
def figures(tree, staff, types, town_project):
    youth_activity(
        staff.town, town_project, tree.village_a, male=18, female=22, respondents=40, pre="60", post="80"
    )
    youth_activity(
        staff.town,
        town_project,
        tree.community_a,
        venue="community",
        male=5,
        female=5,
        respondents=10,
        pre="50",
        post="90",
    )
    tc = running_project(
        types["three_combinations"],
        tree.county,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    income_history(staff.county, tc, tree.village_a, 1, "10000", ("2025-03-01", "20000"))
    income_history(staff.county, tc, tree.village_b, 2, "8000", ("2024-03-01", "9000"))
    income_history(staff.county, tc, tree.village_b, 3, "9000")
    return town_project, tc


def test_page_api_excel_and_cli_give_the_same_figures(client, api, staff, figures):
    # Youth Health 2025: 2 activities, 50 people, (40·60 + 10·50) / 50 = 58.00 → (40·80 + 10·90) / 50 = 82.00
    client.force_login(staff.city)
    page = client.get(reverse("projects:outcomes"), {"year": "2025", "type": "youth_health"}).content.decode()
    assert 'data-figure="participants">50<' in page and 'data-figure="cities">1<' in page
    data = api(staff.city).get("/projects/outcomes", params={"year": 2025, "type": "青春健康"}).data
    assert (
        data["totals"]["participants"],
        data["totals"]["knowledge_pre"],
        data["totals"]["knowledge_post"],
    ) == (
        50,
        "58.00",
        "82.00",
    )
    assert [(c["label"], c["participants"]) for c in data["cities"]] == [("韶关市", 50)]
    book = client.get(reverse("projects:outcomes_export"), {"year": "2025", "type": "youth_health"})
    rows = [r for r in load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True)]
    assert ("韶关市", 2, 50, 50, 58, 82) in [tuple(r[:6]) for r in rows]
    # Three Combinations: gains 5,000 (10,000 → 20,000 over two years) and 1,000; one household missing
    income = api(staff.city).get("/projects/outcomes", params={"type": "three_combinations"}).data["income"]
    assert (income["measured"], income["missing"], income["mean_gain"], income["median_gain"]) == (
        2,
        1,
        "3000.00",
        "3000.00",
    )
    out = io.StringIO()
    call_command("projects", "report", "--type", "计生三结合", "--as", staff.city.username, stdout=out)
    assert "已跟踪 2 户，缺跟踪数据 1 户" in out.getvalue() and "¥3,000.00" in out.getvalue()
    out = io.StringIO()
    call_command("projects", "report", "--year", "2025", "--type", "青春健康", stdout=out)
    assert "活动 2 次；参与 50 人" in out.getvalue() and "58.00 → 82.00" in out.getvalue()


def test_the_report_counts_nothing_outside_the_actors_branches(client, api, staff, figures):
    data = api(staff.other_county).get("/projects/outcomes", params={"year": 2025}).data
    assert (data["projects"], data["totals"]["activities"], data["income"]["households"]) == (0, 0, 0)
    client.force_login(staff.other_county)
    book = client.get(reverse("projects:outcomes_export"), {"year": "2025"})
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert not any(r[0] == "韶关市" for r in rows)


def test_project_page_queries_stay_flat_as_activities_grow(client, tree, staff, town_project):
    client.force_login(staff.county)
    url = reverse("projects:detail", args=[town_project.pk])

    def grow():
        for n in range(4):
            youth_activity(staff.town, town_project, tree.village_a, male=n + 1, female=1)

    youth_activity(staff.town, town_project, tree.village_a)
    assert_queries_flat(lambda: client.get(url), grow, most=60, row="data-activity=")
