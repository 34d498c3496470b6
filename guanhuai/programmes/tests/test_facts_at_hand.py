"""Review with the facts at hand: the application page links the applicant to their person and household
pages and shows, condition by condition, what the eligibility rule checked with the applicant's own values;
the person page links to the person's applications, enrolments and payments, and offers "申请扶助" for a
programme they qualify for and have not applied to."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.tests.factories import ProgrammeFactory, enrol
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family

RULE = {
    "all": [
        {"fact": "age", "op": ">=", "value": 60},
        {"fact": "hukou", "op": "==", "value": "rural"},
        {"fact": "children_ever", "op": "==", "value": 1},
        {"fact": "special_status", "op": "in", "value": ["bereaved", "disabled_child"]},
        {"not": {"fact": "is_migrant", "op": "==", "value": True}},
    ]
}


@pytest.fixture
def home(tree, people, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return family(people.clerk_a, tree.village_a)  # 王建国 1960, 李秀英 1962, their son, rural


def _checks(html):
    block = re.search(r'<ul[^>]*id="eligibility-checks".*?</ul>', html, re.S)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li.*?</li>", block, re.S)
    ]


def test_the_review_page_links_the_applicant_and_shows_each_fact_the_rule_checked(client, tree, people, home):
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助", rule=RULE)
    head = home.members.get(relation_to_head="head")
    application, _created = svc.application_create(actor=people.clerk_a, programme=programme, person=head)
    age = timezone.localdate().year - 1960 - ((timezone.localdate().month, timezone.localdate().day) < (5, 1))
    client.force_login(people.reviewer_a)

    html = client.get(reverse("programmes:application_detail", args=[application.pk])).content.decode()

    applicant = re.search(r'<dd[^>]*id="applicant".*?</dd>', html, re.S)[0]
    assert f'href="{reverse("registry:person", args=[head.pk])}"' in applicant
    assert f'href="{reverse("registry:household", args=[home.pk])}"' in applicant
    assert "按当前条件不符合" in html  # the son is alive: not a special family
    assert _checks(html) == [
        f"✔ 符合年龄(周岁)：{age} （条件：大于等于 60）",
        "✔ 符合户籍类型：农村 （条件：等于 农村）",
        "✔ 符合生育或收养子女总数：1 （条件：等于 1）",
        "✘ 不符合计生特殊家庭：无 （条件：属于 失独、独生子女伤残）",
        "✔ 符合流动人口：否 （条件：并非：等于 是）",
    ]


def test_after_the_only_child_dies_the_same_line_says_bereaved_and_holds(client, tree, people, home):
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助", rule=RULE)
    head = home.members.get(relation_to_head="head")
    son = home.members.get(relation_to_head="child")
    death_record(actor=people.clerk_a, person=son, occurred_on=dt.date(2024, 5, 3))
    application, _created = svc.application_create(actor=people.clerk_a, programme=programme, person=head)
    client.force_login(people.reviewer_a)

    html = client.get(reverse("programmes:application_detail", args=[application.pk])).content.decode()

    assert "按当前条件符合" in html
    assert "✔ 符合计生特殊家庭：失独 （条件：属于 失独、独生子女伤残）" in _checks(html)


def test_the_person_page_links_applications_enrolments_payments_and_offers_what_they_qualify_for(
    client, tree, people, home
):
    head = home.members.get(relation_to_head="head")
    applied = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助")
    enrolled = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="奖励扶助")
    open_to_him = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="暖心补贴")
    ProgrammeFactory(
        org_unit=tree.province,
        created_by=people.admin,
        name="青年补贴",
        rule={"all": [{"fact": "age", "op": "<", "value": 35}]},
    )
    application, _created = svc.application_create(actor=people.clerk_a, programme=applied, person=head)
    enrolment = enrol(enrolled, head, start="2026-01-01")
    client.force_login(people.clerk_a)

    html = client.get(reverse("registry:person", args=[head.pk])).content.decode()

    section = re.search(r'<section[^>]*id="person-links".*?</section>', html, re.S)[0]
    assert reverse("programmes:application_detail", args=[application.pk]) in section
    assert reverse("programmes:enrolment_detail", args=[enrolment.pk]) in section
    assert reverse("programmes:payment_history", args=[head.pk]) in section
    offers = re.findall(r"<a[^>]*data-offer>([^<]*)</a>", section)
    # only the programme he qualifies for and has neither applied to nor is enrolled in
    assert offers == ["申请扶助：暖心补贴"]
    create = reverse("programmes:application_create")
    assert f"{create}?person={head.pk}&amp;programme={open_to_him.pk}" in section


def test_the_offer_opens_the_application_form_with_person_and_programme_chosen(client, tree, people, home):
    head = home.members.get(relation_to_head="head")
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="暖心补贴")
    client.force_login(people.clerk_a)

    html = client.get(
        reverse("programmes:application_create"), {"person": head.pk, "programme": programme.pk}
    ).content.decode()

    assert re.search(rf'<option value="{programme.pk}" selected>暖心补贴</option>', html)


def test_a_reviewer_sees_the_links_but_is_offered_no_application(client, tree, people, home):
    head = home.members.get(relation_to_head="head")
    ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="暖心补贴")
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助")
    application, _created = svc.application_create(actor=people.clerk_a, programme=programme, person=head)
    client.force_login(people.reviewer_a)

    html = client.get(reverse("registry:person", args=[head.pk])).content.decode()

    assert reverse("programmes:application_detail", args=[application.pk]) in html
    assert "data-offer" not in html


def test_for_a_husband_the_mothers_age_is_his_wifes(tree, people, home):
    from guanhuai.programmes import rules

    head = home.members.get(relation_to_head="head")
    on = dt.date(2026, 12, 2)

    (check,) = rules.explain({"all": [{"fact": "mother_age", "op": ">=", "value": 49}]}, head, as_of=on)

    assert (check.label, check.value, check.condition, check.holds) == (
        "女方年龄(周岁)",
        "64",
        "大于等于 49",
        True,
    )


def test_the_person_page_costs_the_same_queries_for_one_application_and_for_six(client, tree, people, home):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    head = home.members.get(relation_to_head="head")
    url = reverse("registry:person", args=[head.pk])
    client.force_login(people.clerk_a)

    def apply_and_count(n):
        for _ in range(n):
            programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin)
            svc.application_create(actor=people.clerk_a, programme=programme, person=head)
            enrol(ProgrammeFactory(org_unit=tree.province, created_by=people.admin), head)
        client.get(url)  # warm the session's caches
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        return len(ctx.captured_queries), html.count("/programmes/applications/")

    one, shown_one = apply_and_count(1)
    six, shown_six = apply_and_count(5)

    assert (shown_one, shown_six) == (1, 6)
    assert six == one


def test_the_timeline_does_not_say_录入_twice(client, tree, people, home):
    head = home.members.get(relation_to_head="head")
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="特别扶助")
    application, _created = svc.application_create(actor=people.clerk_a, programme=programme, person=head)
    client.force_login(people.clerk_a)

    html = client.get(reverse("programmes:application_detail", args=[application.pk])).content.decode()

    assert "录入扶助申请（当时符合资格条件）" in html and "录入时" not in html


def test_a_deceased_applicant_is_refused_with_the_reason_shown_not_only_ticks(client, tree, people, home):
    """The rule's own conditions all hold, but eligibility asks a living person: the page names that."""
    rule = {"all": [{"fact": "hukou", "op": "==", "value": "rural"}]}
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, name="奖励扶助", rule=rule)
    head = home.members.get(relation_to_head="head")
    application, _created = svc.application_create(actor=people.clerk_a, programme=programme, person=head)
    death_record(actor=people.clerk_a, person=head, occurred_on=dt.date(2026, 9, 1))
    client.force_login(people.reviewer_a)

    html = client.get(reverse("programmes:application_detail", args=[application.pk])).content.decode()

    assert "按当前条件不符合" in html
    assert _checks(html) == [
        "✔ 符合户籍类型：农村 （条件：等于 农村）",
        "✘ 不符合在世：否（2026-09-01 死亡） （条件：等于 是）",
    ]


def test_a_child_past_the_age_limit_before_the_subsidy_began_is_refused_with_the_last_month_owed(
    client, tree, people
):
    """Childcare subsidy: paid from 2025-01 until the child is 36 months old. A child born in November 2021
    turned 36 months in November 2024, before the subsidy began: the page says which month was the last."""
    home = family(people.clerk_a, tree.village_a, child_births=["2021-11-05"])
    child = home.members.get(relation_to_head="child")
    programme = ProgrammeFactory(
        org_unit=tree.province,
        created_by=people.admin,
        name="育儿补贴",
        rule={"all": [{"fact": "hukou", "op": "==", "value": "rural"}]},
        age_limit_months=36,
        counts_from=dt.date(2025, 1, 1),
    )
    application, _created = svc.application_create(actor=people.clerk_a, programme=programme, person=child)
    client.force_login(people.reviewer_a)

    html = client.get(reverse("programmes:application_detail", args=[application.pk])).content.decode()

    assert "按当前条件不符合" in html
    assert _checks(html)[-1] == "✘ 不符合最后应享月份：2024-10 （条件：不早于 2025-01，满 36 个月龄止）"


def test_a_child_still_owed_months_shows_no_age_line_and_qualifies(tree, people):
    from guanhuai.programmes.services.application_common import eligibility_checks, eligible_now

    home = family(people.clerk_a, tree.village_a, child_births=["2022-01-10"])  # last month owed: 2024-12
    older = family(people.clerk_a, tree.village_a, child_births=["2021-12-10"], address="幸福路2号")
    programme = ProgrammeFactory(
        org_unit=tree.province,
        created_by=people.admin,
        rule={"all": [{"fact": "hukou", "op": "==", "value": "rural"}]},
        age_limit_months=36,
        counts_from=dt.date(2024, 12, 1),
    )
    child = home.members.get(relation_to_head="child")
    too_old = older.members.get(relation_to_head="child")

    assert eligible_now(programme, child) is True
    assert [c.label for c in eligibility_checks(programme, child)] == ["户籍类型"]
    assert eligible_now(programme, too_old) is False  # the same boundary as the rule's age window
    assert [(c.label, c.value, c.holds) for c in eligibility_checks(programme, too_old)][-1] == (
        "最后应享月份",
        "2024-11",
        False,
    )
