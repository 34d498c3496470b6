from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.audit.services import log
from guanhuai.audit.tests.factories import AuditEntryFactory
from guanhuai.core.testing import assert_queries_flat


@pytest.fixture
def entries(tree, people):
    return {
        "a": AuditEntryFactory(
            actor=people.reviewer_a, org_unit=tree.village_a, changes={"name": ["甲村", "甲家村"]}
        ),
        "b": AuditEntryFactory(
            action="orgs.unit.closed",
            actor=people.reviewer_b,
            org_unit=tree.village_b,
            changes={"closed_on": [None, "2025-01-01"]},
        ),
        "user": log(people.clerk_a, "accounts.user.created", actor=people.admin, org_unit=tree.village_a),
    }


@pytest.fixture
def auditor_b(tree):
    return user_with_role("auditor", tree.town_b, username="auditor_b")


def listed(response):
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].object_list}


def test_auditor_of_one_township_sees_only_its_entries(client, entries, auditor_b):
    client.force_login(auditor_b)
    response = client.get(reverse("audit:list"))

    assert listed(response) == {entries["b"].pk}
    html = response.content.decode()
    assert "撤销组织" in html  # the translated sentence, not just the code
    assert "乙村" in html and "甲村" not in html


def test_province_auditor_sees_everything_with_who_what_and_changes(client, people, entries):
    client.force_login(people.auditor)
    response = client.get(reverse("audit:list"))

    assert listed(response) == {e.pk for e in entries.values()}
    html = response.content.decode()
    assert "修改组织" in html and "新建用户" in html
    assert "甲村 → 甲家村" in html
    assert "— → 2025-01-01" in html
    assert "reviewer_a" in html


def test_filters_by_action_prefix_actor_search_and_dates(client, people, entries):
    client.force_login(people.auditor)
    url = reverse("audit:list")
    assert listed(client.get(url, {"action": "orgs."})) == {entries["a"].pk, entries["b"].pk}
    assert listed(client.get(url, {"action": "orgs.unit.closed"})) == {entries["b"].pk}
    assert listed(client.get(url, {"actor": "padmin"})) == {entries["user"].pk}
    assert listed(client.get(url, {"q": "乙村"})) == {entries["b"].pk}

    AuditEntry.objects.filter(pk=entries["a"].pk).update(at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    assert listed(client.get(url, {"since": today.isoformat()})) == {entries["b"].pk, entries["user"].pk}
    assert listed(client.get(url, {"until": (today - dt.timedelta(days=5)).isoformat()})) == {entries["a"].pk}


def test_reversed_date_range_is_explained_and_filters_nothing_out(client, people, entries):
    client.force_login(people.auditor)
    today = timezone.localdate()
    response = client.get(
        reverse("audit:list"),
        {"since": today.isoformat(), "until": (today - dt.timedelta(days=1)).isoformat()},
    )
    assert "起始日期不能晚于截止日期。" in response.content.decode()


@pytest.mark.parametrize("who", ["clerk_a", "reviewer_a", "approver"])
def test_users_without_audit_permission_get_404_and_no_menu_entry(client, people, entries, who):
    user = getattr(people, who)
    client.force_login(user)
    assert client.get(reverse("audit:list")).status_code == 404
    assert (
        client.get(reverse("audit:object", args=["orgs.orgunit", entries["a"].object_id])).status_code == 404
    )
    home = client.get(reverse("jobs:list")).content.decode()
    assert reverse("audit:list") not in home


def test_auditor_sees_the_menu_entry(client, people):
    client.force_login(people.auditor)
    assert reverse("audit:list") in client.get(reverse("jobs:list")).content.decode()


def test_list_query_count_does_not_grow_with_the_page(client, tree, people):
    AuditEntryFactory(actor=people.admin, org_unit=tree.village_a)
    client.force_login(people.auditor)
    # session, user, count, page (with actor and branch joined), session save (+2 savepoint), and the
    # auditor's assignments once per permission asked (audit scope + navigation).
    assert_queries_flat(
        lambda: client.get(reverse("audit:list")),
        lambda: AuditEntryFactory.create_batch(60, actor=people.admin, org_unit=tree.village_a),
        most=11,
    )
    assert len(client.get(reverse("audit:list")).context["page"].object_list) == 50


def test_object_page_lists_every_entry_of_one_object(client, tree, people, entries):
    later = log(tree.village_a, "orgs.unit.moved", actor=people.admin, org_unit=tree.village_a)
    client.force_login(people.auditor)

    response = client.get(reverse("audit:object", args=["orgs.orgunit", str(tree.village_a.pk)]))

    assert listed(response) == {entries["a"].pk, later.pk}
    html = response.content.decode()
    assert "调整组织隶属关系" in html and "修改组织" in html
    assert "“甲村”的操作记录" in html


def test_object_page_of_another_townships_object_is_404(client, tree, entries, auditor_b):
    client.force_login(auditor_b)
    assert (
        client.get(reverse("audit:object", args=["orgs.orgunit", str(tree.village_a.pk)])).status_code == 404
    )
    assert (
        client.get(reverse("audit:object", args=["orgs.orgunit", str(tree.village_b.pk)])).status_code == 200
    )
