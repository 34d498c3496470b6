"""The audit log reads as sentences about named things: the action in words, the object by its name (an
application is "王建国 · 特别扶助", not "1:9917"), each change with the field's label and its values in
words, and an action filter that offers the registered actions. The page's query count does not grow with
its length."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.services import log
from guanhuai.programmes.models import Application
from guanhuai.programmes.tests.factories import ProgrammeFactory, enrol
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family


@pytest.fixture
def world(tree, people):
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助")
    home = family(people.clerk_a, tree.village_a)
    head, spouse, son = list(home.members.order_by("pk"))
    return programme, head, spouse, son


def _application(programme, person, clerk):
    return Application.objects.create(
        programme=programme, person=person, org_unit=person.org_unit, created_by=clerk
    )


def _entries(tree, people, world, n):
    """`n` entries of each kind: an application submitted, an enrolment suspended, a branch renamed, a
    programme switched off and a death recorded."""
    _programme, head, _spouse, son = world
    for i in range(n):
        programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin)
        application = _application(programme, head, people.clerk_a)
        log(application, "programmes.application.submitted", actor=people.clerk_a, org_unit=tree.village_a)
        enrolment = enrol(programme, son)
        log(
            enrolment,
            "programmes.enrolment.suspended",
            actor=people.approver,
            org_unit=tree.village_a,
            changes={"status": ["active", "suspended"]},
        )
        log(
            tree.village_a,
            "orgs.unit.updated",
            actor=people.admin,
            org_unit=tree.village_a,
            changes={"name": [f"甲村{i}", f"甲家村{i}"]},
        )
        log(
            programme,
            "programmes.programme.updated",
            actor=people.admin,
            org_unit=tree.province,
            changes={"active": [True, False]},
        )


def test_an_entry_names_its_object_and_says_its_changes_in_words(client, tree, people, world):
    programme, head, _spouse, son = world
    application = _application(programme, head, people.clerk_a)
    log(application, "programmes.application.submitted", actor=people.clerk_a, org_unit=tree.village_a)
    enrolment = enrol(programme, son)
    log(
        enrolment,
        "programmes.enrolment.suspended",
        actor=people.approver,
        org_unit=tree.village_a,
        changes={"status": ["active", "suspended"]},
        data={"reason": "外出务工，暂停核实", "from_month": 24323},
    )
    log(
        programme,
        "programmes.programme.updated",
        actor=people.admin,
        org_unit=tree.province,
        changes={"active": [True, False]},
    )
    client.force_login(people.auditor)

    html = client.get(reverse("audit:list")).content.decode()

    assert "王建国 · 特别扶助" in html and "王小明 · 特别扶助" in html
    # the stored "programme:person" is not shown (a time such as 01:10:56 holds "1:1" too: digits around it)
    assert not re.search(rf"(?<![\d:]){programme.pk}:{head.pk}(?![\d:])", html)
    assert "享受中 → 暂停" in html and "active" not in html.split("<tbody>")[1]
    assert "启用</span>: 是 → 否" in html
    assert "说明：外出务工，暂停核实" in html  # the words the person gave with the action
    assert "扶助申请" in html and "享受对象" in html  # the object's kind in words


def test_a_death_entry_names_the_person_and_the_history_page_is_titled_by_name(client, tree, people, world):
    _programme, head, _spouse, _son = world
    event = death_record(actor=people.clerk_a, person=head, occurred_on=head.birth_date.replace(year=2025))
    client.force_login(people.auditor)

    html = client.get(reverse("audit:list"), {"action": "registry.event.death"}).content.decode()
    history = client.get(reverse("audit:object", args=["registry.lifeevent", str(event.pk)])).content.decode()

    assert "王建国 · 死亡 2025-" in html
    assert "“王建国 · 死亡 2025-" in history


def test_the_action_filter_is_a_dropdown_of_registered_actions(client, tree, people, world):
    _entries(tree, people, world, 1)
    client.force_login(people.auditor)
    url = reverse("audit:list")

    html = client.get(url).content.decode()
    one = client.get(url, {"action": "programmes.enrolment.suspended"})
    app = client.get(url, {"action": "programmes."})
    unknown = client.get(url, {"action": "programmes.nothing.done"})

    assert '<select name="action"' in html
    assert '<option value="programmes.enrolment.suspended">暂停享受</option>' in html
    assert '<option value="orgs.">' in html  # every action of one app
    assert {e.action for e in one.context["page"].object_list} == {"programmes.enrolment.suspended"}
    assert {e.action for e in app.context["page"].object_list} == {
        "programmes.application.submitted",
        "programmes.enrolment.suspended",
        "programmes.programme.updated",
    }
    assert "选择一个有效的选项" in unknown.content.decode()


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["page"].object_list)


def test_the_page_costs_the_same_queries_for_four_entries_and_for_fifty(client, tree, people, world):
    _entries(tree, people, world, 1)
    client.force_login(people.auditor)
    client.get(reverse("audit:list"))  # the first page of a session also loads what it then caches
    small, shown_small = _queries(client)

    _entries(tree, people, world, 15)
    large, shown_large = _queries(client)

    assert shown_small < 10 and shown_large == 50
    assert large == small
    # session, user, count, page (actor and branch joined), one name query per type with a namer
    # (application, enrolment) and the auditor's assignments (scope + navigation): pinned.
    assert small == 7


def test_a_change_of_a_field_without_its_own_label_reads_in_words(client, tree, people, world):
    programme, head, _spouse, son = world
    log(
        tree.village_a,
        "orgs.unit.moved",
        actor=people.admin,
        org_unit=tree.village_a,
        changes={"parent": ["甲镇", "乙镇"]},
    )
    enrolment = enrol(programme, son)
    log(
        enrolment,
        "programmes.enrolment.reactivated",
        actor=people.approver,
        org_unit=tree.village_a,
        changes={"application": [None, 7]},
    )
    client.force_login(people.auditor)

    html = client.get(reverse("audit:list")).content.decode()

    assert "上级组织</span>: 甲镇 → 乙镇" in html  # registered by orgs
    assert "扶助申请</span>: — → 7" in html  # a link without a label: the linked model's name
    assert ">parent<" not in html and ">application<" not in html


def test_a_donation_is_named_by_its_donor_amount_and_day(client, tree, people):
    from guanhuai.funds.tests.factories import donor, fund, give

    ON = dt.date(timezone.localdate().year - 1, 3, 10)  # an open, past day

    manager = user_with_role("fund_manager", tree.province, username="jijin")
    finance = user_with_role("finance_officer", tree.province, username="caiwu")
    give(
        finance,
        fund(manager, tree.province, name="生育关怀基金"),
        donor(manager, tree.province, name="爱心企业"),
        "1000",
        on=ON,
    )
    client.force_login(people.auditor)

    html = client.get(reverse("audit:list"), {"action": "funds.donation.recorded"}).content.decode()

    assert f"爱心企业 · ¥1,000.00 · {ON.isoformat()}" in html
