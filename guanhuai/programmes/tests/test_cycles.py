"""Payment cycles: generation (amounts, months, death, arrears), exclusions, top-ups, approval and the money
check, the review summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from guanhuai.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from guanhuai.funds.ledger import InsufficientFunds
from guanhuai.jobs.models import Job
from guanhuai.programmes.models import AmountRule, Cycle, Entitlement
from guanhuai.programmes.selectors import cycles as cycle_selectors
from guanhuai.programmes.services import cycles, generation
from guanhuai.programmes.tests.cycle_fixtures import (
    allocation,
    approve_all,
    enrol,
    generate,
    person,
    programme,
)

pytestmark = pytest.mark.django_db


def amounts(cycle: Cycle) -> dict[str, tuple[str, int, Decimal]]:
    return {
        e.person.name: (e.kind, e.months, e.amount)
        for e in Entitlement.objects.filter(cycle=cycle).select_related("person")
    }


def test_generation_gives_every_active_enrolment_one_entitlement(tree, staff):
    # given: three enrolled persons, one of them suspended
    prog = programme(tree, staff, amount="590.00")
    a = person(staff.registrar, tree.village_a, "王建国")
    b = person(staff.registrar, tree.community_a, "李秀英", "1962-07-02", sex="female")
    c = person(staff.registrar, tree.village_a, "张三")
    for p in (a, b):
        enrol(prog, p, start="2026-01-01")
    enrol(prog, c, start="2026-01-01", status="suspended")
    # when
    cycle = generate(staff, prog, "2026-12")
    # then: the suspended one gets nothing, the cycle waits for approval, the job reports the counts
    assert cycle.status == "review"
    assert amounts(cycle) == {
        "王建国": ("regular", 1, Decimal("590.00")),
        "李秀英": ("regular", 1, Decimal("590.00")),
    }
    job = Job.objects.get(pk=cycle.job_id)
    assert job.status == "succeeded"
    assert job.counts["entitlements"] == 2 and job.counts["no_amount"] == 0
    assert job.counts["total"] == "1180.00"


def test_generating_the_same_period_twice_is_refused_and_the_database_keeps_one_cycle(tree, staff):
    prog = programme(tree, staff)
    enrol(prog, person(staff.registrar, tree.village_a))
    generate(staff, prog, "2026-12")
    with pytest.raises(Conflict) as exc:
        generate(staff, prog, "2026-12")
    assert "该项目 2026-12 的发放周期已生成" in str(exc.value)
    # the constraint holds even when the service's check is bypassed
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            programme=prog, period="2026-12", first_month=1, last_month=1, generated_by=staff.finance
        )
    assert Cycle.objects.filter(programme=prog).count() == 1
    assert Entitlement.objects.filter(programme=prog).count() == 1


def test_a_replayed_idempotency_key_returns_the_same_cycle(tree, staff):
    prog = programme(tree, staff)
    first, created = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-11", idempotency_key="k1"
    )
    again, replayed = cycles.cycle_generate(
        actor=staff.finance, programme=prog, period="2026-11", idempotency_key="k1"
    )
    assert first.pk == again.pk
    assert (created, replayed) == (True, False)


def test_a_period_of_the_wrong_shape_is_refused(tree, staff):
    prog = programme(tree, staff, period="quarterly")
    with pytest.raises(ValidationError) as exc:
        cycles.cycle_generate(actor=staff.finance, programme=prog, period="2026-12")
    assert exc.value.code == "bad_period" and "2026-Q4" in str(exc.value)
    assert not Cycle.objects.exists()


def test_only_finance_of_the_programmes_branch_may_generate(tree, staff):
    prog = programme(tree, staff)
    with pytest.raises((PermissionDenied, Exception)):
        cycles.cycle_generate(actor=staff.town_finance, programme=prog, period="2026-12")
    assert not Cycle.objects.exists()


def test_childcare_subsidy_is_paid_pro_rata_by_eligible_months(tree, staff):
    # given: 3,600 a year per child under 36 months, counted from 2025-01
    prog = programme(
        tree,
        staff,
        amount="3600.00",
        valid_from="2025-01-01",
        period="yearly",
        pro_rata="months",
        counts_from=dt.date(2025, 1, 1),
        age_limit_months=36,
    )
    july = person(staff.registrar, tree.village_a, "王七月", "2024-07-10")
    march = person(staff.registrar, tree.village_a, "王三月", "2022-03-05")
    june = person(staff.registrar, tree.village_a, "王六月", "2025-06-20")
    for p, start in ((july, "2024-07-01"), (march, "2022-03-01"), (june, "2025-06-01")):
        enrol(prog, p, start=start)
    # when
    y2025 = generate(staff, prog, "2025")
    # then: born 2024-07 → all 12 months of 2025; born 2022-03 → Jan and Feb 2025 (36 months end 2025-02);
    # born 2025-06 → June to December
    assert amounts(y2025) == {
        "王七月": ("regular", 12, Decimal("3600.00")),
        "王三月": ("regular", 2, Decimal("600.00")),
        "王六月": ("regular", 7, Decimal("2100.00")),
    }
    # and in 2027 the child born 2024-07 gets January to June only
    y2027 = generate(staff, prog, "2027")
    assert amounts(y2027) == {
        "王七月": ("regular", 6, Decimal("1800.00")),
        "王六月": ("regular", 12, Decimal("3600.00")),
    }


def test_a_death_in_the_period_is_paid_through_the_death_month(tree, staff):
    prog = programme(tree, staff, amount="590.00", period="quarterly", pro_rata="months")
    died_nov = person(staff.registrar, tree.village_a, "赵十一", died_on="2026-11-15")
    died_before = person(staff.registrar, tree.village_a, "赵九月", died_on="2026-09-30")
    alive = person(staff.registrar, tree.village_a, "赵健在")
    for p in (died_nov, died_before, alive):
        enrol(prog, p, start="2026-01-01")
    cycle = generate(staff, prog, "2026-Q4")
    assert amounts(cycle) == {
        "赵十一": ("regular", 2, Decimal("393.33")),
        "赵健在": ("regular", 3, Decimal("590.00")),
    }


def test_without_pro_rata_a_partial_period_gets_the_full_amount(tree, staff):
    prog = programme(tree, staff, amount="960.00", period="yearly")
    p = person(staff.registrar, tree.village_a, "钱满", died_on="2026-02-01")
    enrol(prog, p, start="2026-01-01")
    assert amounts(generate(staff, prog, "2026")) == {"钱满": ("regular", 2, Decimal("960.00"))}


def test_enrolments_matching_no_amount_rule_are_reported_not_lost(tree, staff):
    prog = programme(tree, staff, amount="100.00")
    AmountRule.objects.filter(programme=prog).update(condition={"fact": "sex", "op": "==", "value": "female"})
    enrol(prog, person(staff.registrar, tree.village_a, "男甲"))
    enrol(prog, person(staff.registrar, tree.village_a, "女乙", "1962-01-01", sex="female"))
    cycle = generate(staff, prog, "2026-12")
    assert amounts(cycle) == {"女乙": ("regular", 1, Decimal("100.00"))}
    job = Job.objects.get(pk=cycle.job_id)
    assert job.counts["no_amount"] == 1
    assert "1 名享受对象没有匹配的发放标准" in job.message


def test_rules_ending_with_one_for_everyone_leave_no_one_without_an_amount(tree, staff):
    # given: a programme paying women 120 and everyone else 100 (the last rule has no condition)
    prog = programme(tree, staff, amount="100.00")
    rule = AmountRule.objects.get(programme=prog)
    AmountRule.objects.create(
        programme=prog,
        condition={"fact": "sex", "op": "==", "value": "female"},
        amount=Decimal("120.00"),
        priority=rule.priority - 1,
        valid_from=rule.valid_from,
    )
    enrol(prog, person(staff.registrar, tree.village_a, "男甲"))
    enrol(prog, person(staff.registrar, tree.village_a, "女乙", "1962-01-01", sex="female"))
    cycle = generate(staff, prog, "2026-12")
    span = generation.PeriodSpan(cycle.period, cycle.first_month, cycle.last_month)
    # then: generation need not count the enrolments without an amount, and there are none
    assert generation.always_has_amount(cycle, span)
    assert amounts(cycle) == {
        "男甲": ("regular", 1, Decimal("100.00")),
        "女乙": ("regular", 1, Decimal("120.00")),
    }
    assert Job.objects.get(pk=cycle.job_id).counts["no_amount"] == 0
    # and once the last rule has a condition, someone may lack an amount: they are counted again
    AmountRule.objects.filter(pk=rule.pk).update(condition={"fact": "hukou", "op": "==", "value": "urban"})
    assert not generation.always_has_amount(cycle, span)


def test_a_late_approval_gets_arrears_for_earlier_generated_periods(tree, staff):
    # given: October and November were generated before the enrolment existed
    prog = programme(tree, staff, amount="590.00")
    early = person(staff.registrar, tree.village_a, "早批")
    enrol(prog, early, start="2026-01-01")
    generate(staff, prog, "2026-10")
    generate(staff, prog, "2026-11")
    # when: a person approved late, entitled from October, is enrolled and December is generated
    late = person(staff.registrar, tree.village_a, "晚批")
    enrol(prog, late, start="2026-10-01")
    december = generate(staff, prog, "2026-12")
    # then: December regular for both, plus October and November arrears for the late one only
    rows = sorted(
        (e.person.name, e.period, e.kind, e.amount)
        for e in Entitlement.objects.filter(cycle=december).select_related("person")
    )
    assert rows == [
        ("早批", "2026-12", "regular", Decimal("590.00")),
        ("晚批", "2026-10", "arrears", Decimal("590.00")),
        ("晚批", "2026-11", "arrears", Decimal("590.00")),
        ("晚批", "2026-12", "regular", Decimal("590.00")),
    ]
    assert Job.objects.get(pk=december.job_id).counts["arrears"] == 2


def test_exclusion_needs_a_reason_and_only_while_in_review(tree, staff):
    prog = programme(tree, staff, amount="590.00", approvals_required=1)
    enrol(prog, person(staff.registrar, tree.village_a, "甲"))
    enrol(prog, person(staff.registrar, tree.village_a, "乙"))
    cycle = generate(staff, prog, "2026-12")
    first, second = Entitlement.objects.filter(cycle=cycle).order_by("id")
    with pytest.raises(ValidationError):
        cycles.entitlement_exclude(actor=staff.finance, entitlement=first, reason=" ")
    excluded = cycles.entitlement_exclude(actor=staff.finance, entitlement=first, reason="已外出务工，待核实")
    assert excluded.status == "excluded" and excluded.note == "已外出务工，待核实"
    assert cycles.cycle_due_total(cycle) == Decimal("590.00")
    cycles.entitlement_restore(actor=staff.finance, entitlement=excluded)
    assert cycles.cycle_due_total(cycle) == Decimal("1180.00")
    cycles.entitlement_exclude(actor=staff.finance, entitlement=first, reason="核实不符")
    approve_all(staff, cycle)
    with pytest.raises(InvalidTransition) as exc:
        cycles.entitlement_exclude(actor=staff.finance, entitlement=second, reason="迟到的剔除")
    assert "只有待审批的周期才能剔除应发记录" in str(exc.value)


def test_top_up_only_for_enrolled_persons_once_per_cycle(tree, staff):
    prog = programme(tree, staff)
    enrolled = person(staff.registrar, tree.village_a, "在册")
    stranger = person(staff.registrar, tree.village_a, "路人")
    enrol(prog, enrolled)
    cycle = generate(staff, prog, "2026-12")
    top = cycles.top_up_add(
        actor=staff.finance, cycle=cycle, person=enrolled, amount="120.50", reason="上月少发"
    )
    assert (top.kind, top.amount) == ("top_up", Decimal("120.50"))
    with pytest.raises(Conflict):
        cycles.top_up_add(actor=staff.finance, cycle=cycle, person=enrolled, amount="10", reason="再补")
    with pytest.raises(ValidationError) as exc:
        cycles.top_up_add(actor=staff.finance, cycle=cycle, person=stranger, amount="10", reason="补")
    assert exc.value.code == "not_enrolled"
    assert cycles.cycle_due_total(cycle) == Decimal("710.50")


def test_approval_needs_n_approvers_none_of_them_the_generator(tree, staff):
    prog = programme(tree, staff, approvals_required=2)
    enrol(prog, person(staff.registrar, tree.village_a))
    cycle = generate(staff, prog, "2026-12")
    # the generator may not approve (a province admin could otherwise generate and approve alone)
    admin_cycle, _created = cycles.cycle_generate(
        actor=staff.admin, programme=programme(tree, staff), period="2026-12"
    )
    with pytest.raises(PermissionDenied) as exc:
        cycles.cycle_approve(actor=staff.admin, cycle=admin_cycle)
    assert "生成发放周期的人不能审批" in str(exc.value)
    # one approval is not enough; the same approver twice is refused
    cycle = cycles.cycle_approve(actor=staff.approver, cycle=cycle, comment="核对无误")
    assert cycle.status == "review"
    with pytest.raises(Conflict):
        cycles.cycle_approve(actor=staff.approver, cycle=cycle)
    # the second approver locks it
    cycle = cycles.cycle_approve(actor=staff.manager, cycle=cycle)
    assert cycle.status == "approved" and cycle.approved_at is not None
    assert [a.approver for a in cycle_selectors.approvals(cycle)] == [staff.approver, staff.manager]
    # approving a locked cycle names the state
    with pytest.raises(InvalidTransition) as exc2:
        cycles.cycle_approve(actor=staff.admin, cycle=cycle)
    assert "已审批" in str(exc2.value)


def test_approval_is_refused_when_the_allocation_is_short_naming_the_shortfall(tree, staff):
    # given: an allocation of 1,000 and a cycle that owes 1,180
    alloc = allocation(staff.manager, staff.finance, tree.province, "1000.00")
    prog = programme(tree, staff, amount="590.00", allocation=alloc, funding_source="fund")
    for name in ("甲", "乙"):
        enrol(prog, person(staff.registrar, tree.village_a, name))
    cycle = generate(staff, prog, "2026-12")
    cycles.cycle_approve(actor=staff.approver, cycle=cycle)
    # when / then
    with pytest.raises(InsufficientFunds) as exc:
        cycles.cycle_approve(actor=staff.manager, cycle=cycle)
    assert "还差 ¥180.00" in str(exc.value)
    cycle.refresh_from_db()
    assert cycle.status == "review" and cycle.approvals.count() == 1


def test_other_approved_unpaid_cycles_of_the_allocation_count_against_it(tree, staff):
    alloc = allocation(staff.manager, staff.finance, tree.province, "1000.00")
    prog = programme(tree, staff, amount="590.00", allocation=alloc, funding_source="fund")
    enrol(prog, person(staff.registrar, tree.village_a))
    november = approve_all(staff, generate(staff, prog, "2026-11"))
    assert november.status == "approved"
    december = generate(staff, prog, "2026-12")
    cycles.cycle_approve(actor=staff.approver, cycle=december)
    with pytest.raises(InsufficientFunds) as exc:
        cycles.cycle_approve(actor=staff.manager, cycle=december)
    assert "其他已审批未发放的周期占用 ¥590.00" in str(exc.value) and "还差 ¥180.00" in str(exc.value)


def test_review_summary_by_county_and_difference_from_the_previous_cycle(tree, staff):
    prog = programme(tree, staff, amount="590.00")
    stay = person(staff.registrar, tree.village_a, "留")
    leave = person(staff.registrar, tree.village_a, "走")
    enrol(prog, stay)
    leaving = enrol(prog, leave)
    november = generate(staff, prog, "2026-11")
    # between the cycles: one exits, one joins, and the amount changes from December
    leaving.status = "exited"
    leaving.save()
    enrol(prog, person(staff.registrar, tree.village_b, "来"), start="2026-12-01")
    AmountRule.objects.create(
        programme=prog, label="新标准", amount=Decimal("600.00"), valid_from=dt.date(2026, 12, 1), priority=1
    )
    december = generate(staff, prog, "2026-12")
    summary = cycle_selectors.cycle_summary(actor=staff.finance, cycle=december)
    assert summary.previous == november
    assert (summary.due.count, summary.due.total) == (2, Decimal("1200.00"))
    assert [(c.name, c.count, c.total) for c in summary.by_county] == [("仁化县", 2, Decimal("1200.00"))]
    assert (summary.new.count, summary.new.total) == (1, Decimal("600.00"))
    assert (summary.exited.count, summary.exited.total) == (1, Decimal("590.00"))
    assert (summary.changed.count, summary.changed.total) == (1, Decimal("10.00"))
    assert [
        e.person.name
        for e in cycle_selectors.diff_new(actor=staff.finance, cycle=december, previous=november)
    ] == ["来"]
    assert [
        e.person.name
        for e in cycle_selectors.diff_exited(actor=staff.finance, cycle=december, previous=november)
    ] == ["走"]
    changed = cycle_selectors.diff_changed(actor=staff.finance, cycle=december, previous=november).get()
    assert (changed.person.name, changed.previous_amount, changed.amount) == (
        "留",
        Decimal("590.00"),
        Decimal("600.00"),
    )


def test_summary_is_scoped_to_the_viewers_branches(tree, staff, people):
    prog = programme(tree, staff)
    enrol(prog, person(staff.registrar, tree.village_a, "甲镇人"))
    enrol(prog, person(staff.registrar, tree.village_b, "乙镇人"))
    cycle = generate(staff, prog, "2026-12")
    mine = cycle_selectors.cycle_summary(actor=people.reviewer_a, cycle=cycle)
    assert mine.due.count == 1
    assert cycle_selectors.cycle_get(actor=people.reviewer_a, cycle_id=cycle.pk) == cycle


def test_a_generation_job_that_stopped_half_way_resumes_without_doubling(tree, staff, monkeypatch):
    # given: three enrolments, generated one id at a time, and the second range fails
    prog = programme(tree, staff, amount="590.00")
    for name in ("一", "二", "三"):
        enrol(prog, person(staff.registrar, tree.village_a, name))
    monkeypatch.setattr(generation, "CHUNK", 1)
    real = generation.insert_select
    calls = []

    def flaky(rows):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(rows)

    monkeypatch.setattr(generation, "insert_select", flaky)
    cycle, _created = cycles.cycle_generate(actor=staff.finance, programme=prog, period="2026-12")
    from guanhuai.jobs.services import job_retry, job_run

    job = job_run(cycle.job_id)
    assert job.status == "failed" and Entitlement.objects.filter(cycle=cycle).count() == 1
    # when: retried
    job_retry(actor=staff.finance, job=job)
    job = job_run(cycle.job_id)
    # then: it continued after the committed range; everyone once
    cycle.refresh_from_db()
    assert job.status == "succeeded" and cycle.status == "review"
    assert set(amounts(cycle)) == {"一", "二", "三"}
    assert Entitlement.objects.filter(cycle=cycle).count() == 3 and job.counts["entitlements"] == 3


def test_amount_conditions_with_subqueries_are_evaluated_per_person(tree, staff):
    # mother_age looks at a man's spouse through a subquery: the generation evaluates it on each person
    prog = programme(tree, staff, amount="100.00")
    AmountRule.objects.filter(programme=prog).update(
        condition={"fact": "mother_age", "op": ">=", "value": 49}
    )
    AmountRule.objects.create(
        programme=prog,
        label="城镇",
        amount=Decimal("200.00"),
        valid_from=dt.date(2022, 1, 1),
        priority=1,
        condition={"fact": "hukou", "op": "==", "value": "urban"},
    )
    enrol(prog, person(staff.registrar, tree.village_a, "母亲", "1962-01-01", sex="female"))
    enrol(prog, person(staff.registrar, tree.village_a, "单身汉", "1962-01-01"))
    enrol(prog, person(staff.registrar, tree.village_a, "城里人", "1990-01-01", hukou="urban"))
    cycle = generate(staff, prog, "2026-12")
    assert amounts(cycle) == {
        "母亲": ("regular", 1, Decimal("100.00")),
        "城里人": ("regular", 1, Decimal("200.00")),
    }
    assert Job.objects.get(pk=cycle.job_id).counts["no_amount"] == 1
    # (this went through the per-person path; a condition on plain columns goes through the join)
    from guanhuai.programmes import rules

    assert generation._on_person(rules.amount_expression(prog, on=dt.date(2026, 12, 1))) is None
    AmountRule.objects.filter(programme=prog, priority=100).delete()
    assert generation._on_person(rules.amount_expression(prog, on=dt.date(2026, 12, 1))) is not None
