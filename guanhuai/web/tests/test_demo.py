from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from guanhuai.accounts.models import RoleAssignment, User
from guanhuai.accounts.registry import Role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import NotFound
from guanhuai.jobs import registry
from guanhuai.jobs.models import Job
from guanhuai.orgs import selectors
from guanhuai.orgs.models import NON_GEOGRAPHIC_KINDS, OrgChange, OrgUnit
from guanhuai.web.demo import province


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--small", "--no-job", *args, stdout=out)
    return out.getvalue()


def login(client, username: str) -> bool:
    # axes needs the request to authenticate.
    return client.login(
        request=RequestFactory().get("/"), username=username, password=settings.GUANHUAI_DEMO_PASSWORD
    )


def test_demo_loads_the_real_cities_and_counties_of_guangdong(db):
    run_demo()

    assert OrgUnit.objects.filter(level="province").get().name == "广东省"
    assert OrgUnit.objects.filter(level="city", parent__code="440000").count() == 21
    assert OrgUnit.objects.filter(level="county").count() == 122
    assert OrgUnit.objects.get(code="440224").name == "仁化县"
    assert OrgUnit.objects.get(code="440224").parent.name == "韶关市"


def test_generated_townships_and_villages_have_plausible_names_and_codes(db):
    run_demo()

    # The generated map; the enterprise, migrant and school associations the association demo adds below
    # it are branches of their own kinds (docs/association.md), not divisions.
    geographic = OrgUnit.objects.exclude(kind__in=NON_GEOGRAPHIC_KINDS)
    townships = geographic.filter(level="township").select_related("parent")
    villages = geographic.filter(level="village").select_related("parent")
    # --small: 仁化县 (a 县) and 浈江区 (a 区), 8–15 townships each, 8–20 villages per township.
    assert {t.parent.code for t in townships} == {"440224", "440204"}
    for county in ("440224", "440204"):
        assert 8 <= townships.filter(parent__code=county).count() <= 15
    for t in townships:
        assert re.fullmatch(r"\d{12}", t.code) and t.code.startswith(t.parent.code) and t.code.endswith("000")
        suffix = {"town": "镇", "township": "乡", "subdistrict": "街道"}[t.kind]
        assert t.name.endswith(suffix) and len(t.name) > len(suffix)
        first = int(t.code[6:9])
        assert (1 <= first < 100) if t.kind == "subdistrict" else (100 <= first <= 999)
        assert 8 <= villages.filter(parent=t).count() <= 20
    for v in villages:
        assert v.code.startswith(v.parent.code[:9]) and len(v.code) == 12
        suffix = {"village": "村", "community": "社区"}[v.kind]
        assert v.name.endswith(suffix) and len(v.name) > len(suffix)
        assert (int(v.code[9:]) < 200) == (v.kind == "community")
    # A district is mostly streets; a county mostly towns, its seat town first.
    district = townships.filter(parent__code="440204")
    assert district.filter(kind="subdistrict").count() > district.count() / 2
    assert townships.get(code="440224100000").kind == "town"
    assert not townships.filter(parent__code="440224", kind="subdistrict").exists()
    # No duplicate names within a county or within a township.
    for county in ("440224", "440204"):
        names = list(townships.filter(parent__code=county).values_list("name", flat=True))
        assert len(names) == len(set(names))
    for t in townships:
        names = list(villages.filter(parent=t).values_list("name", flat=True))
        assert len(names) == len(set(names))
    # The tree went through the audited import: one history row per unit.
    assert OrgChange.objects.filter(kind="created").count() == OrgUnit.objects.count()


def test_generation_is_deterministic(db):
    county = {"code": "440224", "name": "仁化县"}
    assert province.township_rows(county) == province.township_rows(county)
    assert province.township_rows(county) != province.township_rows({"code": "440222", "name": "始兴县"})


def test_every_role_has_a_demo_user_who_can_log_in(db, client):
    output = run_demo()

    assignments = RoleAssignment.objects.active().select_related("user", "org_unit")
    by_role = {a.role: a for a in assignments}
    assert set(by_role) == set(Role.values)
    assert by_role["province_admin"].org_unit.code == "440000"
    assert by_role["finance_officer"].org_unit.code == "440200"
    assert by_role["county_approver"].org_unit.code == "440224"
    assert by_role["township_reviewer"].org_unit.parent.code == "440224"
    assert by_role["village_clerk"].org_unit.parent == by_role["township_reviewer"].org_unit
    for a in assignments:
        assert login(client, a.user.username), a.user.username
        assert f"`{a.user.username}`" in output
        client.logout()
    assert f"所有演示账号的密码：{settings.GUANHUAI_DEMO_PASSWORD}" in output
    assert not login(client, "guanhuai-system")  # the system actor has no usable password


def test_township_reviewer_sees_only_their_township(db, client):
    run_demo()
    reviewer = User.objects.get(username="zhen_shenhe")
    own = RoleAssignment.objects.get(user=reviewer).org_unit
    other = OrgUnit.objects.filter(level="township", parent=own.parent).exclude(pk=own.pk).first()

    visible = selectors.unit_list(actor=reviewer)
    assert visible.count() == own.subtree().count()
    assert not visible.filter(pk=other.pk).exists()
    with pytest.raises(NotFound):
        selectors.unit_get(actor=reviewer, unit_id=other.pk)
    with pytest.raises(NotFound):
        selectors.unit_get(actor=reviewer, unit_id=own.parent_id)  # not even the county above

    assert login(client, "zhen_shenhe")
    assert client.get(reverse("orgs:unit", args=[own.pk])).status_code == 200
    assert client.get(reverse("orgs:unit", args=[other.pk])).status_code == 404
    assert client.get(f"/api/v1/orgunits/{own.pk}").status_code == 200
    assert client.get(f"/api/v1/orgunits/{other.pk}").status_code == 404


def test_running_demo_twice_changes_nothing(db):
    run_demo()
    before = [m.objects.count() for m in (OrgUnit, OrgChange, User, RoleAssignment, AuditEntry, Job)]

    output = run_demo()

    assert [m.objects.count() for m in (OrgUnit, OrgChange, User, RoleAssignment, AuditEntry, Job)] == before
    assert "已存在，未做任何修改" in output
    assert "`zhen_shenhe`" in output  # the logins are printed again


def test_demo_prints_counts_per_level(db):
    output = run_demo()

    assert re.search(r"市\s+21\b", output)
    assert re.search(r"县\(区\)\s+122\b", output)
    # printed when the province is built, before the association demo adds its non-geographic branches
    villages = OrgUnit.objects.filter(level="village").exclude(kind__in=NON_GEOGRAPHIC_KINDS).count()
    assert f"{villages:,}" in output


def test_demo_submits_one_sleep_job_for_the_job_pages(db):
    if province.DEMO_JOB_KIND not in registry.kinds():
        pytest.skip("jobs.sleep is not registered in this installation")
    result = province.demo_build(
        password=settings.GUANHUAI_DEMO_PASSWORD,
        counties=province.SMALL_COUNTIES,
        job_params={"steps": 2, "delay": 0},
    )

    job = Job.objects.get()
    assert result.job == job
    assert job.kind == "jobs.sleep" and job.actor.username == "sheng_admin"
    assert job.org_unit.code == "440000"


def test_demo_refuses_a_weak_demo_password_and_writes_nothing(db, settings):
    settings.GUANHUAI_DEMO_PASSWORD = "123"
    with pytest.raises(Exception, match="密码|password"):
        run_demo()
    assert not OrgUnit.objects.exists()
    assert not User.objects.exclude(username="guanhuai-system").exists()
