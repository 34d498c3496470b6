"""The rule language: validation messages, facts compiled to SQL, edge dates, and amount expressions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanhuai.core.errors import ValidationError
from guanhuai.programmes import rules
from guanhuai.programmes.models import AmountRule
from guanhuai.programmes.tests.factories import ProgrammeFactory, cond, enrol
from guanhuai.registry.models import Marriage, Person
from guanhuai.registry.services import PersonInput, birth_record
from guanhuai.registry.states import RelationToHead
from guanhuai.registry.tests.factories import couple, household, make_id, member

D = dt.date.fromisoformat


def who(rule: dict, as_of: str, **filters) -> set[str]:
    qs = rules.eligible_for_rule(rule, as_of=D(as_of)).filter(**filters)
    return set(qs.values_list("name", flat=True))


# --- validation -------------------------------------------------------------------------------------


def test_an_unknown_fact_is_refused_with_its_name_and_position():
    with pytest.raises(ValidationError) as err:
        rules.validate({"all": [cond("age", ">=", 49), cond("income", ">", 1000)]})
    assert err.value.code == "unknown_fact"
    assert "income" in str(err.value)
    assert "all[1]" in str(err.value)


@pytest.mark.parametrize(
    "rule, words",
    [
        ({"all": [cond("sex", ">=", "female")]}, ["性别", ">="]),
        ({"all": [cond("age", ">=", "49")]}, ["整数", '"49"']),
        ({"all": [cond("age", ">=", True)]}, ["整数"]),
        ({"all": [cond("age", ">=", 400)]}, ["超出范围"]),
        ({"all": [cond("hukou", "==", "city")]}, ["city", "urban"]),
        ({"all": [cond("hukou", "in", [])]}, ["非空列表"]),
        ({"all": [cond("birth_date", ">=", "1933-13-01")]}, ["日期"]),
        ({"all": [cond("is_migrant", "==", 1)]}, ["true"]),
        ({"not": {}}, ["not"]),
        ({"any": []}, ["any"]),
        ({"all": [{"fact": "age", "op": ">="}]}, ["value"]),
        ({"every": []}, ["every"]),
        ({"all": [cond("residence", "within", "999999")]}, ["999999"]),
        ([cond("age", ">=", 1)], ["JSON"]),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_naming_the_problem(db, rule, words):
    with pytest.raises(ValidationError) as err:
        rules.validate(rule)
    assert err.value.code == "bad_rule"
    for word in words:
        assert word in str(err.value)


def test_rules_deeper_than_eight_levels_are_refused():
    rule: dict = cond("age", ">=", 1)
    for _ in range(8):
        rule = {"all": [rule]}
    with pytest.raises(ValidationError, match="8"):
        rules.validate(rule)
    rules.validate(rule["all"][0])  # eight levels are fine


def test_every_fact_compiles_with_every_operator(tree, people):
    ProgrammeFactory(org_unit=tree.province, created_by=people.admin, code="sa")
    samples = {"int": 2, "bool": True, "date": "1990-01-01", "branch": "440224", "programme": "sa"}
    for f in rules.FACTS.values():
        for op in f.ops:
            value = f.choices[0][0] if f.type == "choice" else samples[f.type]
            if op in ("in", "not_in"):
                value = [value]
            rule = {"all": [cond(f.name, op, value)]}
            # Runs the SQL: every fact and operator must be a valid query on this database.
            rules.eligible_for_rule(rule, as_of=D("2026-11-15")).count()


# --- ages and dates ---------------------------------------------------------------------------------


def test_age_is_whole_years_reached_on_the_birthday(tree, people):
    household(people, tree.village_a, member("甲", "1977-11-15", sex="female"))
    rule = {"all": [cond("age", ">=", 49)]}
    assert who(rule, "2026-11-14") == set()
    assert who(rule, "2026-11-15") == {"甲"}
    assert who({"all": [cond("age", "==", 48)]}, "2026-11-14") == {"甲"}
    assert who({"all": [cond("age", "<", 49)]}, "2026-11-15") == set()


def test_born_on_29_february_turns_a_year_older_on_1_march_in_a_common_year(tree, people):
    household(people, tree.village_a, member("闰", "1980-02-29", sex="female"))
    rule = {"all": [cond("age", ">=", 49)]}
    assert who(rule, "2029-02-28") == set()
    assert who(rule, "2029-03-01") == {"闰"}
    assert who({"all": [cond("age", ">=", 48)]}, "2028-02-29") == {"闰"}


def test_shift_clamps_to_the_end_of_the_month():
    assert rules.shift(D("2028-02-29"), years=1) == D("2027-02-28")
    assert rules.shift(D("2026-03-31"), months=1) == D("2026-02-28")
    assert rules.shift(D("2026-01-15"), months=36) == D("2023-01-15")


def test_a_child_of_35_months_qualifies_and_one_of_36_does_not(tree, people):
    household(
        people,
        tree.village_a,
        member("父", "1990-01-01", sex="male"),
        member("三十五月", "2023-12-16", sex="female", relation=RelationToHead.CHILD),
        member("三十六月", "2023-11-15", sex="male", relation=RelationToHead.CHILD),
    )
    under_three = {"all": [cond("age_months", "<", 36)]}
    assert who(under_three, "2026-11-15") == {"三十五月"}
    # The day before the 36-month birthday, the older one was still 35 months old.
    assert who(under_three, "2026-11-14") == {"三十五月", "三十六月"}
    assert who({"all": [cond("youngest_child_age_months", "<", 36)]}, "2026-11-15") == {"父"}
    assert who({"all": [cond("youngest_child_age_months", ">=", 36)]}, "2026-11-15") == set()


def test_mother_age_is_her_own_for_a_woman_and_his_current_wifes_for_a_man(tree, people):
    couple(people, tree.village_a, father="1970-01-01", mother="1977-11-15")
    household(people, tree.village_a, member("单身汉", "1950-01-01", sex="male"))
    rule = {"all": [cond("mother_age", ">=", 49)]}
    assert who(rule, "2026-11-14") == set()
    assert who(rule, "2026-11-15") == {"父亲", "母亲"}
    assert who({"all": [cond("mother_age", "<", 49)]}, "2026-11-14") == {"父亲", "母亲"}


def test_a_divorce_ends_the_spouse_facts_from_its_date(tree, people):
    family = couple(people, tree.village_a, father="1970-01-01", mother="1960-01-01", hukou="urban")
    Marriage.objects.filter(a__in=family.values()).update(ended_on=D("2025-06-30"))
    rule = {"all": [cond("mother_age", ">=", 49), cond("sex", "==", "male")]}
    assert who(rule, "2025-06-29") == {"父亲"}
    assert who(rule, "2025-06-30") == set()
    assert who({"all": [cond("spouse_hukou", "==", "urban")]}, "2025-01-01") == {"父亲", "母亲"}
    assert who({"all": [cond("spouse_hukou", "==", "urban")]}, "2025-07-01") == set()


def test_living_sons_and_daughters_are_counted_on_the_day(tree, people):
    couple(
        people,
        tree.village_a,
        children=[
            ("大女", "1988-01-01", "female", {}),
            ("二女", "1990-01-01", "female", {}),
            ("儿子", "1992-01-01", "male", {"died_on": D("2020-01-01")}),
        ],
    )
    parents = {"父亲", "母亲"}
    assert who({"all": [cond("living_daughters", "==", 2)]}, "2026-01-01") == parents
    assert who({"all": [cond("living_sons", "==", 0)]}, "2026-01-01", name__in=parents) == parents
    assert who({"all": [cond("living_sons", "==", 1)]}, "2019-12-31") == parents
    assert who({"all": [cond("living_daughters", "==", 1)]}, "1989-06-01") == parents


def test_residence_is_a_branch_and_everything_below_it(tree, people):
    household(people, tree.village_a, member("甲", "1970-01-01"))
    household(people, tree.village_b, member("乙", "1970-01-01"))
    assert who({"all": [cond("residence", "within", tree.town_a.code)]}, "2026-01-01") == {"甲"}
    assert who({"all": [cond("residence", "not_within", [tree.town_a.code])]}, "2026-01-01") == {"乙"}
    assert who({"all": [cond("residence", "within", tree.county.code)]}, "2026-01-01") == {"甲", "乙"}


def test_all_any_not_combine(tree, people):
    household(people, tree.village_a, member("男", "1950-01-01", sex="male"))
    household(people, tree.village_a, member("女", "1990-01-01", sex="female"))
    assert who({"all": []}, "2026-01-01") == {"男", "女"}
    assert who({}, "2026-01-01") == {"男", "女"}
    assert who({"not": cond("sex", "==", "male")}, "2026-01-01") == {"女"}
    either = {"any": [cond("age", ">=", 70), cond("sex", "==", "female")]}
    assert who(either, "2026-01-01") == {"男", "女"}
    assert who({"all": [either, cond("age", "<", 70)]}, "2026-01-01") == {"女"}
    assert who({"not": {"all": []}}, "2026-01-01") == set()


def test_the_dead_the_unborn_and_the_anonymised_are_never_eligible(tree, people):
    household(people, tree.village_a, member("逝者", "1940-01-01", died_on=D("2026-03-01")))
    household(people, tree.village_a, member("未生", "2026-05-01"))
    household(people, tree.village_a, member("匿名", "1950-01-01"))
    Person.objects.filter(name="匿名").update(anonymised_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert who({"all": []}, "2026-02-28") == {"逝者"}
    assert who({"all": []}, "2026-03-01") == set()
    assert who({"all": []}, "2026-05-01") == {"未生"}


def test_a_second_child_makes_a_bereaved_family_ineligible(tree, people):
    family = couple(
        people, tree.village_a, children=[("独子", "1985-01-01", "male", {"died_on": D("2010-01-01")})]
    )
    rule = {"all": [cond("special_status", "in", ["bereaved", "disabled_child"])]}
    assert who(rule, "2026-01-01") == {"父亲", "母亲"}
    # when: a second child is born (recorded through the registry)
    birth_record(
        actor=people.registrar,
        household=family["父亲"].household,
        parents=[family["父亲"], family["母亲"]],
        data=PersonInput(name="二胎", id_number=make_id("2026-02-01", sex="female")),
    )
    # then: neither parent is a special family any more
    assert who(rule, "2026-03-01") == set()


# --- amounts ----------------------------------------------------------------------------------------


def test_amount_expression_picks_the_amount_valid_on_the_day_by_condition(tree, people):
    programme = ProgrammeFactory(
        org_unit=tree.province, created_by=people.admin, amount="100", valid_from="2008-01-01"
    )
    AmountRule.objects.filter(programme=programme).update(valid_to=D("2013-12-31"))
    bereaved = cond("special_status", "==", "bereaved")
    urban = cond("hukou", "==", "urban")
    for label, condition, amount, start, end in [
        ("城镇失独", {"all": [bereaved, urban]}, "340", "2014-01-01", "2022-06-30"),
        ("农村失独", {"all": [bereaved]}, "170", "2014-01-01", "2022-06-30"),
        ("失独", {"all": [bereaved]}, "590", "2022-07-01", None),
        ("伤残", {}, "460", "2022-07-01", None),
    ]:
        AmountRule.objects.create(
            programme=programme,
            label=label,
            condition=condition,
            amount=Decimal(amount),
            valid_from=D(start),
            valid_to=D(end) if end else None,
            priority=10 if condition else 100,
        )
    couple(
        people,
        tree.village_a,
        children=[("城", "1985-01-01", "male", {"died_on": D("2000-01-01")})],
        hukou="urban",
    )
    couple(
        people,
        tree.village_b,
        children=[("乡", "1985-01-01", "male", {"disability_grade": 2})],
        hukou="rural",
    )

    def amounts(on: str) -> dict[tuple[str, str], Decimal | None]:
        qs = Person.objects.filter(name__in=["父亲"]).annotate(
            amount=rules.amount_expression(programme, on=D(on))
        )
        return {(p.org_unit.name, p.name): p.amount for p in qs.select_related("org_unit")}

    assert amounts("2012-06-01") == {("甲村", "父亲"): Decimal("100.00"), ("乙村", "父亲"): Decimal("100.00")}
    # 2014–2022: urban/rural split for the bereaved; no rule for a disabled child's family here → NULL
    assert amounts("2021-06-01") == {("甲村", "父亲"): Decimal("340.00"), ("乙村", "父亲"): None}
    assert amounts("2023-01-01") == {("甲村", "父亲"): Decimal("590.00"), ("乙村", "父亲"): Decimal("460.00")}
    assert amounts("2007-12-31") == {("甲村", "父亲"): None, ("乙村", "父亲"): None}


def test_age_at_year_end_counts_the_year_a_person_turns_60(tree, people):
    household(people, tree.village_a, member("年底", "1966-12-31", sex="female"))
    rule = {"all": [cond("age_at_year_end", ">=", 60)]}
    assert who(rule, "2026-01-01") == {"年底"}
    assert who(rule, "2025-12-31") == set()
    assert who({"all": [cond("age", ">=", 60)]}, "2026-12-30") == set()


def test_enrolled_in_another_programme_for_a_local_top_up(tree, people):
    national = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, code="sa")
    family = couple(people, tree.village_a)
    enrol(national, family["母亲"], start="2026-03-01", end="2026-08-31")
    rule = {"all": [cond("enrolled_in", "in", ["sa"])]}
    assert who(rule, "2026-02-28") == set()
    assert who(rule, "2026-03-01") == {"母亲"}
    assert who(rule, "2026-09-01") == set()
    assert who({"all": [cond("enrolled_in", "not_in", ["sa"])]}, "2026-05-01") == {"父亲"}
    with pytest.raises(ValidationError, match="nope"):
        rules.validate({"all": [cond("enrolled_in", "in", ["nope"])]})
