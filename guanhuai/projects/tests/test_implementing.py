"""Who implements a project (实施单位): a cadre of a branch in a county project's area sees the project and
logs activities at their own branches; the county sees them in the project's totals. Scope stays downward
for the rest: another township's cadre cannot log at 甲村, another county's staff get the 404 of a missing
id, a draft is not shown to implementers, and implementing gives no money or review rights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.errors import PermissionDenied
from guanhuai.projects import selectors
from guanhuai.projects.models import Activity
from guanhuai.projects.tests.factories import ProjectFactory
from guanhuai.projects.tests.factories_outcomes import running_project, youth_activity

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def county_project(tree, types):
    return running_project(types["youth_health"], tree.county, name="仁化县中学青春健康项目")


def test_a_township_cadre_logs_on_a_county_project_and_the_county_counts_it(
    client, tree, staff, county_project
):
    client.force_login(staff.town)
    page = client.get(reverse("projects:detail", args=[county_project.pk])).content.decode()
    assert "登记活动" in page
    assert county_project.name in client.get(reverse("projects:list")).content.decode()
    url = reverse("projects:activity_log", args=[county_project.pk])
    form = client.get(url).content.decode()
    assert "甲村" in form and "乙村" not in form  # only the places of their own township
    response = client.post(
        url,
        {
            "kind": "peer_education",
            "venue_kind": "school",
            "venue_unit": str(tree.village_a.pk),
            "venue_name": "甲村小学",
            "held_on": "2025-05-20",
            "participants": "30",
            "count_male": "14",
            "count_female": "16",
            "count_age_15_19": "30",
            "photo": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.photos.count() == 1 and activity.recorded_by == staff.town
    # the cadre can open their photo; the county's officer sees the activity in the project's totals
    assert client.get(reverse("projects:document", args=[activity.photos.get().pk])).status_code == 200
    report = selectors.project_outcomes(actor=staff.county, project=county_project)
    assert (report.total.activities, report.total.participants) == (1, 30)


def test_scope_stays_downward_for_everything_else(client, api, tree, staff, types, county_project):
    # another township's cadre implements the project in 乙镇, not in 甲镇
    town_b = user_with_role("township_reviewer", tree.town_b, username="town_b_cadre")
    with pytest.raises(PermissionDenied, match="您不能登记在“甲村”举办的活动") as refused:
        youth_activity(town_b, county_project, tree.village_a)
    assert refused.value.code == "venue_not_yours" and not Activity.objects.exists()
    youth_activity(staff.county, county_project, tree.village_b, on=dt.date(2025, 6, 1))
    youth_activity(staff.town, county_project, tree.village_a)
    # each cadre's view of the project counts the activities of their own township; the county's, all
    mine = selectors.project_outcomes(actor=staff.town, project=county_project)
    assert mine.total.activities == 1
    assert selectors.project_outcomes(actor=staff.county, project=county_project).total.activities == 2
    # another county's staff: the 404 of a missing id, on the page and the API
    client.force_login(staff.other_county)
    assert client.get(reverse("projects:detail", args=[county_project.pk])).status_code == 404
    assert api(staff.other_county).get(f"/projects/{county_project.pk}").status_code == 404
    # a draft of the county is not shown to the township
    draft = ProjectFactory(type=types["youth_health"], org_unit=tree.county, name="草稿")
    client.force_login(staff.town)
    assert client.get(reverse("projects:detail", args=[draft.pk])).status_code == 404
    # implementing gives no money, review or planning rights
    page = client.get(reverse("projects:detail", args=[county_project.pk])).content.decode()
    assert reverse("projects:fund", args=[county_project.pk]) not in page
    assert client.get(reverse("projects:fund", args=[county_project.pk])).status_code in (403, 404)
    assert client.get(reverse("projects:milestone_add", args=[county_project.pk])).status_code in (403, 404)
    # the province report stays downward: a township cadre counts nothing of a county project
    assert selectors.outcome_report(actor=staff.town, type_code="youth_health").total.activities == 0
