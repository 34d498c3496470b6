"""The 阳光计生 Happy Family list: a named family is shown by the head's name and village only while the
head's honours consent is in force (registry's consent, read when the page is made); a withdrawal takes it off
the page at once, cached page included; without consent the family still counts; no household number,
address or ID appears; the page reads in Traditional."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.projects import services
from guanhuai.projects.selectors import happy_families_public
from guanhuai.projects.tests.factories import project_staff, project_types
from guanhuai.projects.tests.factories_happy import consent, family, nominate, selection_project
from guanhuai.registry.services import consent_withdraw

pytestmark = pytest.mark.django_db


def _url(name, site="renhua"):
    return reverse(f"portal:{name}", kwargs={"site": site})


def _named(people, staff, project, hh):
    n = nominate(people.clerk_a, project, hh)
    services.nomination_review(actor=people.reviewer_a, nomination=n, decision="recommend")
    services.nomination_review(actor=people.approver, nomination=n, decision="recommend")
    services.nomination_review(actor=staff.city, nomination=n, decision="name")
    return n


@pytest.fixture
def world(tree, people, django_capture_on_commit_callbacks):
    """仁化县's site; 韶关市's selection over 仁化县 named 张明's and 李强's families and has 王芳's under review;
    张明 and 王芳 consented to the honours' publication, 李强 did not."""
    SiteFactory(unit=tree.county, name="仁化县计划生育协会", slug="renhua")
    types, staff = project_types(), project_staff(tree)
    project = selection_project(
        types["happy_family"], tree.city, area=[tree.county], name="韶关市幸福家庭创建"
    )
    zhang, li, wang = (family(tree.village_a, i, name) for i, name in ((1, "张明"), (2, "李强"), (3, "王芳")))
    _named(people, staff, project, zhang)
    _named(people, staff, project, li)
    nominate(people.clerk_a, project, wang)
    with django_capture_on_commit_callbacks(execute=True):
        zhang_consent = consent(people.clerk_a, zhang)
        consent(people.clerk_a, wang)
    return project, zhang, zhang_consent


def test_only_consented_named_families_are_published(client, world, tree):
    project, zhang, _c = world
    page = client.get(_url("happy_families")).content.decode()
    assert "张明家庭" in page and "甲村" in page and project.name in page
    assert "李强" not in page and "王芳" not in page  # no consent; not named yet
    assert "已命名幸福家庭 2 户，其中经户主同意公开 1 户。" in page
    assert zhang.number not in page and "幸福路" not in page
    index = client.get(_url("disclosure")).content.decode()
    assert "张明家庭" in index and _url("happy_families") in index
    honours = happy_families_public(unit=tree.county)
    assert [(f.family, f.village) for f in honours.families] == [("张明家庭", "甲村")] and honours.named == 2


def test_withdrawing_consent_takes_the_family_off_at_once(
    client, world, people, django_capture_on_commit_callbacks
):
    _p, _z, zhang_consent = world
    assert "张明家庭" in client.get(_url("happy_families")).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=people.clerk_a, consent=zhang_consent, withdrawn_on=timezone.localdate())
    page = client.get(_url("happy_families")).content.decode()
    assert "张明" not in page and "已命名幸福家庭 2 户，其中经户主同意公开 0 户。" in page
    assert "张明" not in client.get(_url("disclosure")).content.decode()


def test_the_list_reads_in_traditional_and_stays_within_the_site(client, world, tree):
    page = client.get(_url("hant_happy_families")).content.decode()
    assert "張明家庭" in page and "幸福家庭" in page
    SiteFactory(unit=tree.other_county, name="始兴县计划生育协会", slug="shixing")
    other = client.get(_url("happy_families", site="shixing")).content.decode()
    assert "张明" not in other and "已命名幸福家庭 0 户" in other


def test_a_revoked_family_leaves_the_public_list_at_once_cached_page_included(
    client, world, tree, django_capture_on_commit_callbacks
):
    project, zhang, _c = world
    assert "张明家庭" in client.get(_url("happy_families")).content.decode()  # now cached
    n = project.nominations.get(household=zhang)
    with django_capture_on_commit_callbacks(execute=True):
        city = User.objects.get(username="xm_city")  # 韶关市's project officer, who named it (world)
        services.nomination_revoke(actor=city, nomination=n, reason="事迹不实")
    page = client.get(_url("happy_families")).content.decode()
    assert "张明" not in page and "已命名幸福家庭 1 户，其中经户主同意公开 0 户。" in page
    assert happy_families_public(unit=tree.county).named == 1
