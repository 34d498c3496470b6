"""The three national templates (eligibility edge cases and amount histories) and the definition services:
from-template, create, update, rule versions and amount rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.programmes import rules
from guanhuai.programmes.catalogue import TEMPLATES
from guanhuai.programmes.models import AmountRule, Cycle, Programme, RuleVersion
from guanhuai.programmes.selectors.programmes import eligibility_preview, eligible_not_enrolled
from guanhuai.programmes.services.programmes import (
    amount_rule_add,
    amount_rule_end,
    programme_create,
    programme_from_template,
    programme_update,
    rule_version_save,
)
from guanhuai.programmes.tests.factories import cond, enrol
from guanhuai.registry.models import Person
from guanhuai.registry.services import PersonInput, birth_record
from guanhuai.registry.tests.factories import couple, household, make_id, member

D = dt.date.fromisoformat


@pytest.fixture
def special(tree, people):
    return programme_from_template(actor=people.admin, template="special_assistance", org_unit=tree.province)


@pytest.fixture
def rural(tree, people):
    return programme_from_template(actor=people.admin, template="rural_reward", org_unit=tree.province)


@pytest.fixture
def childcare(tree, people):
    return programme_from_template(actor=people.admin, template="childcare_subsidy", org_unit=tree.province)


def names(programme, on: str) -> set[str]:
    return set(rules.eligible(programme, as_of=D(on)).values_list("name", flat=True))


def amount_of(programme, person: Person, on: str) -> Decimal | None:
    return (
        Person.objects.filter(pk=person.pk)
        .annotate(a=rules.amount_expression(programme, on=D(on)))
        .values_list("a", flat=True)
        .get()
    )


DEAD_CHILD = ("独子", "1998-03-01", "male", {"died_on": D("2015-05-01")})


# --- special assistance -----------------------------------------------------------------------------


def test_special_assistance_starts_on_the_day_the_mother_turns_49(special, tree, people):
    # given: a bereaved couple; the mother turns 49 on 15 November 2026
    couple(people, tree.village_a, father="1975-02-01", mother="1977-11-15", children=[DEAD_CHILD])
    # then: both parents qualify from her birthday, not before (ages are exact to the day; a monthly
    # cycle that evaluates on the month's last day therefore counts November)
    assert names(special, "2026-11-14") == set()
    assert names(special, "2026-11-15") == {"父亲", "母亲"}
    assert names(special, "2026-11-30") == {"父亲", "母亲"}
    assert names(special, "2026-10-31") == set()


def test_special_assistance_disabled_child_grade_1_to_3_only(special, tree, people):
    couple(
        people,
        tree.village_a,
        mother="1970-01-01",
        children=[("甲", "1995-01-01", "male", {"disability_grade": 3})],
    )
    couple(
        people,
        tree.village_b,
        mother="1970-01-01",
        children=[("乙", "1995-01-01", "male", {"disability_grade": 4})],
    )
    qualified = rules.eligible(special, as_of=D("2026-06-01")).values_list("org_unit__name", flat=True)
    assert sorted(qualified) == ["甲村", "甲村"]


def test_special_assistance_excludes_a_parent_born_before_1933(special, tree, people):
    couple(people, tree.village_a, father="1932-12-31", mother="1940-01-01", children=[DEAD_CHILD])
    assert names(special, "2026-06-01") == {"母亲"}


def test_a_second_child_born_after_enrolment_makes_the_family_ineligible(special, tree, people):
    family = couple(people, tree.village_a, mother="1970-01-01", children=[DEAD_CHILD])
    father, mother = family["父亲"], family["母亲"]
    enrol(special, father, start="2024-01-01")
    enrol(special, mother, start="2024-01-01")
    assert names(special, "2026-01-31") == {"父亲", "母亲"}
    # when: a child is adopted... here born, recorded through the registry in February 2026
    birth_record(
        actor=people.registrar,
        household=father.household,
        parents=[father, mother],
        data=PersonInput(name="二孩", id_number=make_id("2026-02-10", sex="female")),
    )
    # then: neither parent qualifies any more (re-confirmation flags their enrolments from this)
    assert names(special, "2026-03-01") == set()


def test_special_assistance_amounts_by_date_and_condition(special, tree, people):
    urban = couple(people, tree.village_a, mother="1960-01-01", children=[DEAD_CHILD], hukou="urban")
    rural = couple(people, tree.village_b, mother="1960-01-01", children=[DEAD_CHILD], hukou="rural")
    disabled = couple(
        people,
        tree.community_a,
        mother="1960-01-01",
        children=[("残", "1990-01-01", "female", {"disability_grade": 1})],
        hukou="rural",
    )
    u, r, d = urban["母亲"], rural["母亲"], disabled["母亲"]
    assert [amount_of(special, p, "2010-05-01") for p in (u, r, d)] == [100, 100, 80]
    assert [amount_of(special, p, "2013-05-01") for p in (u, r, d)] == [135, 135, 110]
    # 2014: urban and rural differ
    assert [amount_of(special, p, "2021-05-01") for p in (u, r, d)] == [340, 170, 150]
    assert [amount_of(special, p, "2022-06-30") for p in (u, r, d)] == [340, 170, 150]
    # 2022-07-01 on: one national figure
    assert [amount_of(special, p, "2022-07-01") for p in (u, r, d)] == [590, 590, 460]
    assert [amount_of(special, p, "2023-05-01") for p in (u, r, d)] == [590, 590, 460]
    assert amount_of(special, u, "2007-12-31") is None


def test_the_undated_450_350_figures_are_not_installed_but_listed(special):
    assert not AmountRule.objects.filter(programme=special, amount__in=[450, 350]).exists()
    unconfirmed = TEMPLATES["special_assistance"].unconfirmed
    assert sorted(a.amount for a in unconfirmed) == [350, 450]
    assert all("[?]" in a.source for a in unconfirmed)
    # every installed amount says where it comes from
    assert AmountRule.objects.filter(programme=special, source="").count() == 0


# --- rural reward -----------------------------------------------------------------------------------


def test_rural_reward_two_daughters_qualify_a_son_and_a_daughter_do_not(rural, tree, people):
    couple(
        people,
        tree.village_a,
        father="1960-03-01",
        mother="1961-03-01",
        children=[("大女", "1985-01-01", "female", {}), ("二女", "1988-01-01", "female", {})],
    )
    couple(
        people,
        tree.village_b,
        father="1960-03-01",
        mother="1961-03-01",
        children=[("女", "1985-01-01", "female", {}), ("子", "1988-01-01", "male", {})],
    )
    qualified = rules.eligible(rural, as_of=D("2026-06-01")).values_list("org_unit__name", "name")
    assert sorted(qualified) == [("甲村", "母亲"), ("甲村", "父亲")]


def test_rural_reward_needs_both_spouses_rural_and_age_60(rural, tree, people):
    family = couple(people, tree.village_a, father="1966-06-01", mother="1960-01-01", children=[DEAD_CHILD])
    assert names(rural, "2026-05-31") == {"母亲"}  # he is 59 until 1 June
    assert names(rural, "2026-06-01") == {"母亲", "父亲"}
    Person.objects.filter(pk=family["父亲"].pk).update(hukou_type="urban")
    assert names(rural, "2026-06-01") == set()  # she now has an urban husband; he is urban


def test_rural_reward_yearly_amounts(rural, tree, people):
    family = couple(people, tree.village_a, father="1940-01-01", mother="1941-01-01", children=[DEAD_CHILD])
    father = family["父亲"]
    assert [amount_of(rural, father, f"{y}-01-01") for y in (2004, 2009, 2012, 2026)] == [600, 720, 960, 960]
    assert amount_of(rural, father, "2003-12-31") is None


# --- childcare subsidy ------------------------------------------------------------------------------


def test_childcare_subsidy_a_child_still_owed_a_month_from_2025_qualifies_whatever_its_age_today(
    childcare, tree, people
):
    # given children born either side of the policy's edge: born in February 2022 a child is under 36
    # months in January 2025 (owed one month); born in January 2022 it turned 3 before 2025 (owed none)
    household(
        people,
        tree.village_a,
        member("父", "1990-01-01", sex="male"),
        member("小二二年一月", "2022-01-31", sex="female", relation="child"),
        member("小二二年二月", "2022-02-01", sex="male", relation="child"),
        member("小二三年", "2023-11-15", sex="male", relation="child"),
        member("小二六年", "2026-11-20", sex="female", relation="child"),
    )
    # then on 2 December 2026 the 2022 and 2023 children are over 36 months but still owed 2025 months
    assert names(childcare, "2026-12-02") == {"小二二年二月", "小二三年", "小二六年"}
    # a child not yet born is nobody's eligible
    assert names(childcare, "2026-11-15") == {"小二二年二月", "小二三年"}
    # and 应享未享 lists them for the village clerk to invite
    listed = eligible_not_enrolled(actor=people.clerk_a, programme=childcare, as_of=D("2026-12-02"))
    assert set(listed.values_list("name", flat=True)) == {"小二二年二月", "小二三年", "小二六年"}
    assert childcare.counts_from == D("2025-01-01")
    assert childcare.age_limit_months == 36
    assert childcare.pro_rata == "months"
    child = Person.objects.get(name="小二三年")
    assert amount_of(childcare, child, "2026-01-01") == Decimal("3600.00")
    assert amount_of(childcare, child, "2024-12-31") is None


def test_the_childcare_preview_counts_the_same_children_as_eligibility(childcare, tree, people):
    household(
        people,
        tree.village_a,
        member("父", "1990-01-01", sex="male"),
        member("小二二年一月", "2022-01-31", sex="female", relation="child"),
        member("小二三年", "2023-11-15", sex="male", relation="child"),
    )
    preview = eligibility_preview(
        actor=people.admin, rule=rules.current_rule(childcare), as_of=D("2026-12-02"), programme=childcare
    )
    assert preview.count == 1


# --- definition services ----------------------------------------------------------------------------


def test_from_template_writes_version_1_amounts_and_audit(special, people):
    assert special.code == "special_assistance"
    assert special.template == "special_assistance"
    assert special.period == "monthly"
    assert list(special.rule_versions.values_list("version", flat=True)) == [1]
    assert AmountRule.objects.filter(programme=special).count() == 10
    entry = AuditEntry.objects.get(action="programmes.programme.created_from_template")
    assert entry.actor_id == people.admin.pk


def test_a_second_programme_from_the_same_template_gets_its_own_code(special, tree, people):
    county = programme_from_template(
        actor=people.county_admin, template="special_assistance", org_unit=tree.county
    )
    assert county.code == "special_assistance-440224"


def test_only_a_programme_manager_may_create_and_only_in_scope(tree, people):
    with pytest.raises(PermissionDenied):
        programme_from_template(actor=people.clerk_a, template="rural_reward", org_unit=tree.village_a)
    with pytest.raises(NotFound):
        programme_from_template(
            actor=people.county_admin, template="rural_reward", org_unit=tree.other_county
        )
    with pytest.raises(ValidationError, match="nope"):
        programme_from_template(actor=people.admin, template="nope", org_unit=tree.province)
    assert not Programme.objects.exists()


def top_up(tree, people, **kw):
    fields = dict(
        code="gd-topup",
        name="广东省特扶增发",
        legal_basis="省级文件",
        period="monthly",
        funding_source="budget",
        budget_line="省级计生经费",
    )
    fields.update(kw)
    return programme_create(actor=people.admin, org_unit=tree.province, **fields)


def test_a_province_adds_a_local_top_up_without_code(tree, people):
    programme = top_up(tree, people)
    rule = {"all": [cond("special_status", "==", "bereaved"), cond("residence", "within", "440000")]}
    v1 = rule_version_save(actor=people.admin, programme=programme, rule=rule, note="省内失独家庭")
    amount_rule_add(
        actor=people.admin, programme=programme, label="省增发", amount="200", valid_from=D("2026-01-01")
    )
    family = couple(people, tree.village_a, mother="1960-01-01", children=[DEAD_CHILD])
    assert v1.version == 1
    assert names(programme, "2026-06-01") == {"父亲", "母亲"}
    assert amount_of(programme, family["母亲"], "2026-06-01") == Decimal("200.00")


def test_programme_create_refuses_bad_input_with_precise_codes(tree, people):
    with pytest.raises(ValidationError) as err:
        top_up(tree, people, code="Bad Code!")
    assert err.value.code == "bad_code"
    with pytest.raises(ValidationError) as err:
        top_up(tree, people, budget_line="")
    assert err.value.code == "budget_line_required"
    with pytest.raises(ValidationError) as err:
        top_up(tree, people, period="weekly")
    assert err.value.code == "bad_period"
    top_up(tree, people)
    with pytest.raises(Conflict):
        top_up(tree, people)


def test_rule_versions_count_up_and_an_unchanged_or_unknown_rule_is_refused(special, people):
    rule = RuleVersion.objects.get(programme=special).rule
    with pytest.raises(Conflict, match="第1版"):
        rule_version_save(actor=people.admin, programme=special, rule=rule, note="原样")
    with pytest.raises(ValidationError) as err:
        rule_version_save(
            actor=people.admin, programme=special, rule={"all": [cond("wealth", ">", 1)]}, note="x"
        )
    assert err.value.code == "unknown_fact" and "wealth" in str(err.value)
    new = {"all": [*rule["all"], cond("hukou", "==", "rural")]}
    assert rule_version_save(actor=people.admin, programme=special, rule=new, note="仅农村").version == 2
    assert rules.current_rule(special) == new
    with pytest.raises(PermissionDenied):
        rule_version_save(actor=people.approver, programme=special, rule={"all": []}, note="x")


def test_amount_rules_are_ended_not_edited_and_never_reach_into_generated_months(special, tree, people):
    open_590 = AmountRule.objects.get(programme=special, amount=590)
    # an overlapping rule for the same condition and priority is refused
    with pytest.raises(Conflict) as err:
        amount_rule_add(
            actor=people.admin,
            programme=special,
            label="新标准",
            amount="650",
            valid_from=D("2027-01-01"),
            condition=open_590.condition,
            priority=open_590.priority,
        )
    assert err.value.code == "amount_overlap"
    # a cycle for 2026-12 was generated: nothing may change amounts up to the end of December
    Cycle.objects.create(
        programme=special, period="2026-12", first_month=24323, last_month=24323, generated_by=people.admin
    )
    with pytest.raises(Conflict) as err:
        amount_rule_end(actor=people.admin, amount_rule=open_590, valid_to=D("2026-11-30"))
    assert err.value.code == "amount_used"
    amount_rule_end(actor=people.admin, amount_rule=open_590, valid_to=D("2026-12-31"))
    with pytest.raises(Conflict) as err:
        amount_rule_end(actor=people.admin, amount_rule=open_590, valid_to=D("2027-12-31"))
    assert err.value.code == "already_ended"
    row = amount_rule_add(
        actor=people.admin,
        programme=special,
        label="新标准",
        amount="650",
        valid_from=D("2027-01-01"),
        condition=open_590.condition,
        priority=open_590.priority,
        source="省文件",
    )
    assert row.amount == Decimal("650.00")
    with pytest.raises(ValidationError) as err:
        amount_rule_add(
            actor=people.admin, programme=special, label="x", amount="-1", valid_from=D("2027-01-01")
        )
    assert err.value.code == "bad_amount"


def test_payment_fields_freeze_once_a_cycle_exists(special, people):
    programme_update(actor=people.admin, programme=special, notice_days=10, name="特别扶助（省）")
    special.refresh_from_db()
    assert (special.notice_days, special.name) == (10, "特别扶助（省）")
    Cycle.objects.create(
        programme=special, period="2026-12", first_month=24323, last_month=24323, generated_by=people.admin
    )
    with pytest.raises(Conflict) as err:
        programme_update(actor=people.admin, programme=special, period="yearly")
    assert err.value.code == "payment_fields_frozen"


def test_the_2014_rows_say_their_end_date_is_uncertain(special):
    # The 2014 urban/rural figures were replaced by 450/350 on a date nobody has confirmed; ending them on
    # 2022-06-30 is the best guess the template can make, and the source must say so like the 450/350 rows.
    rows = AmountRule.objects.filter(programme=special, valid_from=dt.date(2014, 1, 1))
    assert rows.count() == 4
    assert all(r.source.startswith("[?]") and "2022-06-30" in r.source for r in rows)
    # the other dated rows keep a plain source
    assert not AmountRule.objects.filter(
        programme=special, valid_from__year=2022, source__contains="[?]"
    ).exists()


def test_an_installed_childcare_rule_with_the_day_age_limit_gets_a_corrected_version(childcare, tree, people):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "guanhuai.programmes.migrations.0002_childcare_rule_counts_owed_months"
    )
    # given a programme installed before the fix: its newest rule checks age_months < 36 on the day
    RuleVersion.objects.create(
        programme=childcare, version=2, rule=migration.OLD_RULE, created_by=people.admin
    )
    household(
        people,
        tree.village_a,
        member("父", "1990-01-01", sex="male"),
        member("小二三年", "2023-03-01", sex="male", relation="child"),
    )
    assert names(childcare, "2026-12-02") == set()
    # when the data migration runs (twice: the second run finds nothing to do)
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    # then a third version drops the day's age condition and the child still owed 2025 months qualifies
    assert list(
        RuleVersion.objects.filter(programme=childcare).order_by("version").values_list("version", "rule")
    ) == [
        (1, {"all": []}),
        (2, migration.OLD_RULE),
        (3, {"all": []}),
    ]
    assert names(childcare, "2026-12-02") == {"小二三年"}
