"""Happy Family selection on the pages and over the API: a village clerk nominates from the form, the
township reviewer recommends from the nomination's page, the list counts by state and filters; refusals are
the service's message beside the field (or a 4xx with its code), nothing saved; everyone outside the
household's branches gets the 404 of a missing id; `families_named` shows on the project page and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanhuai.core.testing import assert_queries_flat
from guanhuai.projects import services
from guanhuai.projects.models_happy import Nomination, NominationReview
from guanhuai.projects.tests.factories_happy import EVIDENCE, family, nominate, selection_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(tree, types):
    return selection_project(types["happy_family"], tree.city, area=[tree.county], name="韶关市幸福家庭创建")


def _form(number, **over):
    data = {"number": number, **{f"evidence_{k}": v for k, v in EVIDENCE.items()}}
    data.update(over)
    return data


def test_the_clerk_nominates_and_the_township_recommends_on_the_pages(client, tree, people, staff, project):
    hh = family(tree.village_a, 1)
    client.force_login(people.clerk_a)
    # the project page links to the selection, with the counts
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("projects:nominations", args=[project.pk]) in page and "评选中 0 户" in page
    # given the clerk's nomination from the form
    response = client.post(reverse("projects:nomination_create", args=[project.pk]), _form(hh.number))
    n = Nomination.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("projects:nomination", args=[n.pk])
    page = client.get(response["Location"]).content.decode()
    assert "待乡镇(街道)级评审" in page and EVIDENCE["prosperous"] in page and 'id="review"' not in page
    # when the township reviewer recommends it from the nomination's page
    client.force_login(people.reviewer_a)
    listing = client.get(reverse("projects:nominations", args=[project.pk]) + "?mine=1").content.decode()
    assert f'data-nomination="{n.pk}"' in listing
    page = client.get(reverse("projects:nomination", args=[n.pk])).content.decode()
    assert 'id="review"' in page and 'value="recommend"' in page and 'value="name"' not in page
    response = client.post(
        reverse("projects:nomination", args=[n.pk]),
        {"decision": "recommend", "comment": "", "step": "township"},
    )
    assert response.status_code == 302
    # then it waits at the county, and the same form sent again is refused with its reason
    n.refresh_from_db()
    assert n.step == "county"
    again = client.post(
        reverse("projects:nomination", args=[n.pk]),
        {"decision": "recommend", "comment": "", "step": "township"},
    )
    assert again.status_code == 409 and "未保存" in again.content.decode()
    assert NominationReview.objects.filter(nomination=n).count() == 1
    # the county's list, filtered on its step, shows it
    client.force_login(people.approver)
    listing = client.get(reverse("projects:nominations_all") + "?step=county").content.decode()
    assert f'data-nomination="{n.pk}"' in listing and 'data-count="under_review"' in listing


def test_the_form_refuses_beside_the_field_and_saves_nothing(client, tree, types, people, project):
    # 甲镇's cadre (who logs activities in all of 甲镇) on a project over 甲村 only, for a 甲社区 household
    client.force_login(people.reviewer_a)
    narrow = selection_project(types["happy_family"], tree.county, area=[tree.village_a], code="HF-A")
    outside = family(tree.community_a, 2)
    url = reverse("projects:nomination_create", args=[narrow.pk])
    page = client.post(url, _form(outside.number)).content.decode()
    assert f"户“{outside.number}”所在的甲社区不在项目“{narrow.name}”的实施范围（甲村）内，不能提名。" in page
    client.force_login(people.clerk_a)
    hh = family(tree.village_a, 3)
    page = client.post(
        reverse("projects:nomination_create", args=[project.pk]), _form(hh.number, evidence_healthy="")
    ).content.decode()
    assert "每项评选标准都须写明事实依据：健康 未填写。" in page
    assert Nomination.objects.count() == 0


def test_not_recommending_without_a_reason_is_refused_beside_the_comment(client, tree, people, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 4))
    client.force_login(people.reviewer_a)
    response = client.post(
        reverse("projects:nomination", args=[n.pk]), {"decision": "not_recommended", "step": "township"}
    )
    assert response.status_code == 422 and "不予推荐须说明理由。" in response.content.decode()
    assert NominationReview.objects.count() == 0


def test_the_selection_over_the_api(api, tree, people, staff, project):
    clerk = api(people.clerk_a)
    hh = family(tree.village_a, 5)
    created = clerk.post(
        f"/projects/{project.pk}/happy-families", {"household_number": hh.number, "evidence": EVIDENCE}
    )
    assert created.status_code == 201, created.data
    nid = created.data["id"]
    assert created.data["steps"] == ["township", "county", "city"] and created.data["step"] == "township"
    assert created.data["consented"] is False and created.data["village"] == "甲村"
    assert (
        clerk.post(
            f"/projects/{project.pk}/happy-families", {"household_number": hh.number, "evidence": EVIDENCE}
        ).data["code"]
        == "duplicate_nomination"
    )
    missing = clerk.post(
        f"/projects/{project.pk}/happy-families",
        {"household_number": family(tree.village_a, 8).number, "evidence": {**EVIDENCE, "civilised": ""}},
    )
    assert missing.status_code == 422 and missing.data["code"] == "evidence_missing"
    own = clerk.post(f"/projects/happy-families/{nid}/review", {"decision": "recommend"})
    assert own.status_code == 403 and own.data["code"] == "wrong_level"
    town = api(people.reviewer_a)
    ok = town.post(f"/projects/happy-families/{nid}/review", {"decision": "recommend", "step": "township"})
    assert ok.status_code == 200 and ok.data["step"] == "county" and len(ok.data["reviews"]) == 1
    stale = town.post(f"/projects/happy-families/{nid}/review", {"decision": "recommend", "step": "township"})
    assert stale.status_code == 409 and stale.data["code"] == "stale_step"
    county = api(people.approver)
    assert county.post(f"/projects/happy-families/{nid}/review", {"decision": "name"}).data["code"] == (
        "not_last_step"
    )
    assert county.post(f"/projects/happy-families/{nid}/review", {"decision": "recommend"}).status_code == 200
    named = api(staff.city).post(
        f"/projects/happy-families/{nid}/review", {"decision": "name", "step": "city"}
    )
    assert named.status_code == 200 and named.data["status"] == "named" and named.data["named_at"]
    listing = api(staff.city).get(f"/projects/{project.pk}/happy-families?status=named").data
    assert listing["count"] == 1 and listing["items"][0]["id"] == nid
    assert api(staff.city).get(f"/projects/{project.pk}/outcomes").data["families_named"] == 1


def test_scope_matrix_other_branches_get_a_missing_ids_404(api, client, tree, types, people, staff, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 6))
    youth = selection_project(types["youth_health"], tree.county, code="YH-1")
    for who in (people.reviewer_b, staff.other_county):
        other = api(who)
        assert other.get(f"/projects/happy-families/{n.pk}").status_code == 404
        assert (
            other.post(f"/projects/happy-families/{n.pk}/review", {"decision": "recommend"}).status_code
            == 404
        )
        client.force_login(who)
        assert client.get(reverse("projects:nomination", args=[n.pk])).status_code == 404
    # 乙镇's reviewer sees the project's list, without 甲村's nomination
    assert api(people.reviewer_b).get(f"/projects/{project.pk}/happy-families").data["count"] == 0
    # another county's officer does not reach the project at all; a youth project has no selection
    assert api(staff.other_county).get(f"/projects/{project.pk}/happy-families").status_code == 404
    assert api(staff.county).get(f"/projects/{youth.pk}/happy-families").status_code == 404
    client.force_login(staff.other_county)
    assert client.get(reverse("projects:nominations", args=[project.pk])).status_code == 404
    assert client.get(reverse("projects:nomination_create", args=[project.pk])).status_code == 404


def test_the_project_page_shows_families_named(client, tree, people, staff, project):
    n = nominate(people.clerk_a, project, family(tree.village_a, 7))
    for who, decision in (
        (people.reviewer_a, "recommend"),
        (people.approver, "recommend"),
        (staff.city, "name"),
    ):
        services.nomination_review(actor=who, nomination=n, decision=decision)
    client.force_login(staff.city)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-figure="families_named">1<' in page and "已命名 1 户" in page


def test_the_list_page_takes_no_query_per_nomination(client, tree, people, staff, project):
    nominate(people.clerk_a, project, family(tree.village_a, 20))

    def more() -> None:
        for i in range(21, 26):
            nominate(people.clerk_a, project, family(tree.village_a, i, f"家{i}"))

    client.force_login(staff.city)
    assert_queries_flat(
        lambda: client.get(reverse("projects:nominations", args=[project.pk])),
        more,
        most=25,
        row="data-nomination=",
    )


def test_the_work_queue_counts_the_nominations_waiting_at_my_level(tree, people, staff, project):
    from guanhuai.projects.work import families_to_review

    n = nominate(people.clerk_a, project, family(tree.village_a, 30))
    item = families_to_review(people.reviewer_a)
    assert item is not None and item.count == 1 and item.url.endswith("?mine=1")
    assert families_to_review(people.approver) is None  # nothing at the county yet
    services.nomination_review(actor=people.reviewer_a, nomination=n, decision="recommend")
    assert families_to_review(people.reviewer_a) is None
    item = families_to_review(people.approver)
    assert item is not None and item.count == 1


def test_the_city_revokes_a_title_on_the_page_and_over_the_api(api, client, tree, people, staff, project):
    def named(i):
        n = nominate(people.clerk_a, project, family(tree.village_a, 30 + i))
        for who, decision in (
            (people.reviewer_a, "recommend"),
            (people.approver, "recommend"),
            (staff.city, "name"),
        ):
            services.nomination_review(actor=who, nomination=n, decision=decision)
        return n

    page_row, api_row = named(0), named(1)
    url = reverse("projects:nomination", args=[page_row.pk])
    # the county, which recommended it, sees no revocation form; the city does
    client.force_login(people.approver)
    assert 'id="revoke"' not in client.get(url).content.decode()
    client.force_login(staff.city)
    assert 'id="revoke"' in client.get(url).content.decode()
    # without a reason the page says why and nothing changes
    empty = client.post(
        reverse("projects:nomination_revoke", args=[page_row.pk]), {"reason": ""}, follow=True
    )
    assert "撤销命名须说明理由" in empty.content.decode()
    page_row.refresh_from_db()
    assert page_row.status == "named"
    done = client.post(
        reverse("projects:nomination_revoke", args=[page_row.pk]), {"reason": "事迹不实"}, follow=True
    ).content.decode()
    assert "已撤销命名" in done and "事迹不实" in done and 'id="revoke"' not in done
    # over the API: the same service, with its codes
    city = api(staff.city)
    assert city.post(f"/projects/happy-families/{api_row.pk}/revoke", {"reason": ""}).status_code == 422
    assert (
        api(people.approver)
        .post(f"/projects/happy-families/{api_row.pk}/revoke", {"reason": "x"})
        .data["code"]
        == "wrong_level"
    )
    ok = city.post(f"/projects/happy-families/{api_row.pk}/revoke", {"reason": "户主违法"})
    assert ok.status_code == 200 and ok.data["status"] == "revoked" and ok.data["revoke_reason"] == "户主违法"
    again = city.post(f"/projects/happy-families/{api_row.pk}/revoke", {"reason": "户主违法"})
    assert again.status_code == 409 and again.data["code"] == "not_named"
    assert (
        api(staff.other_county)
        .post(f"/projects/happy-families/{api_row.pk}/revoke", {"reason": "x"})
        .status_code
        == 404
    )
