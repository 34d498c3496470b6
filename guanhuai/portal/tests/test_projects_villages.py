"""The 阳光计生 pages for projects and villages: the figures are the owners' public selectors' (projects'
`project_disclosure`, governance's `published_documents` and `published_results`), for the site's branch and
below; a project not approved (or withdrawn) and a village with no filed text are the same 404 as an unknown
one; no person and no staff URL appears; the pages read in Traditional too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.core.money import yuan
from guanhuai.governance.models import Motion
from guanhuai.governance.models_filing import Filing
from guanhuai.governance.states import FilingStatus, VersionStatus
from guanhuai.governance.tests.factories import DocumentFactory, passed_motion, version_with_clauses
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.projects.selectors import project_disclosure
from guanhuai.projects.states import ProjectStatus
from guanhuai.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _url(name, site="renhua", **kwargs):
    return reverse(f"portal:{name}", kwargs={"site": site, **kwargs})


def _filed(version, user):
    Filing.objects.create(
        unit=version.document.unit,
        document=version.document,
        version=version,
        status=FilingStatus.FILED,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
        created_by=user,
    )


@pytest.fixture
def world(tree, people):
    """仁化县's site; a running county project, a withdrawn one, one of 始兴县 (another county); 甲村's village
    rules filed (version 1) with its assembly's result; 乙村's rules adopted but not filed."""
    site = SiteFactory(unit=tree.county, name="仁化县计划生育协会", slug="renhua")
    running = ProjectFactory(
        org_unit=tree.county, code="RH2025-01", name="幸福家庭促进项目", status=ProjectStatus.IN_PROGRESS
    )
    withdrawn = ProjectFactory(
        org_unit=tree.county, code="RH2025-02", name="撤回的项目", status=ProjectStatus.WITHDRAWN
    )
    other = ProjectFactory(
        org_unit=tree.other_county, code="SX2025-01", name="始兴县的项目", status=ProjectStatus.IN_PROGRESS
    )
    rules_a = version_with_clauses(
        DocumentFactory(unit=tree.village_a, created_by=people.clerk_a),
        status=VersionStatus.ADOPTED,
        number=1,
    )
    _filed(rules_a, people.reviewer_a)
    passed_motion(rules_a, title="审议通过甲村村规民约", present_at_vote=330, votes_invalid=5)
    version_with_clauses(
        DocumentFactory(unit=tree.village_b, created_by=people.clerk_a),
        [(1, "总则", "乙村未备案的条文。")],
        status=VersionStatus.ADOPTED,
        number=1,
    )
    return site, running, withdrawn, other


def test_the_projects_page_shows_the_selectors_figures_for_the_branch_and_below(client, world):
    site, running, withdrawn, other = world
    d = project_disclosure(running)
    page = client.get(_url("projects")).content.decode()
    assert d.name in page and d.branch in page
    assert yuan(d.budget) in page and yuan(d.spent) in page and yuan(Decimal("50000")) in page
    assert withdrawn.name not in page and other.name not in page
    project = client.get(_url("project", code="RH2025-01")).content.decode()
    assert f'id="budget">{yuan(d.budget)}' in project
    assert f'id="spent">{yuan(d.spent)}' in project
    assert f'id="activities">{d.activities}' in project


@pytest.mark.parametrize("code", ["RH2025-02", "SX2025-01", "NOPE"])
def test_a_withdrawn_or_out_of_branch_project_is_the_public_404(client, world, code):
    response = client.get(_url("project", code=code))
    assert response.status_code == 404


def test_the_village_page_has_the_filed_text_in_force_and_the_result_as_counts(client, world, tree, people):
    page = client.get(_url("village", code=tree.village_a.code)).content.decode()
    assert "甲村村规民约" in page
    assert "爱护道路、水利等公共设施，损坏的照价修复。" in page
    assert "第 1 版，现行有效，已报乡镇备案" in page
    assert "审议通过甲村村规民约" in page and "赞成 300 · 反对 20 · 弃权 5" in page and "无效 5" in page
    # no person and no staff URL
    for name in (people.clerk_a.username, people.reviewer_a.username, "/governance/", "/portal/manage/"):
        assert name not in page


def test_each_result_names_and_links_its_meeting(client, world, tree):
    # given 甲村's assembly result (甲村 has a filed text, so a page of its own)
    meeting = Motion.objects.get(title="审议通过甲村村规民约").meeting
    anchor = f"#meeting-{meeting.pk}"
    # then the villages page links the result to its meeting on the village's page, where it stands
    listed = client.get(_url("villages")).content.decode()
    assert f'href="{_url("village", code=tree.village_a.code)}{anchor}"' in listed
    page = client.get(_url("village", code=tree.village_a.code)).content.decode()
    assert f'id="meeting-{meeting.pk}"' in page and f'href="{anchor}"' in page


def test_an_unfiled_village_and_one_out_of_branch_are_the_public_404(client, world, tree):
    assert client.get(_url("village", code=tree.village_b.code)).status_code == 404
    assert client.get(_url("village", code="999999999999")).status_code == 404
    site_gd = SiteFactory(unit=tree.other_county, name="始兴县计划生育协会", slug="sx")
    assert site_gd.pk
    assert client.get(_url("village", site="sx", code=tree.village_a.code)).status_code == 404


def test_the_villages_list_and_the_index_link_the_filed_villages_only(client, world, tree):
    page = client.get(_url("villages")).content.decode()
    assert _url("village", code=tree.village_a.code) in page
    assert _url("village", code=tree.village_b.code) not in page
    assert "乙村未备案的条文" not in page and "审议通过甲村村规民约" in page
    index = client.get(_url("disclosure")).content.decode()
    assert _url("villages") in index and _url("projects") in index
    assert _url("project", code="RH2025-01") in index


def test_the_pages_read_in_traditional(client, world, tree):
    page = client.get(_url("hant_village", code=tree.village_a.code)).content.decode()
    assert "村規民約" in page and "愛護道路" in page
    page = client.get(_url("hant_projects")).content.decode()
    assert "項目公開" in page


def test_the_list_pages_are_cached(client, world):
    assert client.get(_url("projects"))["X-Portal-Cache"] == "miss"
    assert client.get(_url("projects"))["X-Portal-Cache"] == "hit"
