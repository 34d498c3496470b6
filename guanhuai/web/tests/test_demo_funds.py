"""The demo's Birth Care Fund: 38.74 million raised, the partner's two rounds, voided receipts, a ledger
that reconciles, and a statement that shows it all."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import ValidationError
from guanhuai.core.validators import parse_resident_id, validate_credit_code
from guanhuai.funds import selectors, services
from guanhuai.funds.ledger import PeriodClosed
from guanhuai.funds.models import (
    ClosedPeriod,
    Disbursement,
    Donation,
    Donor,
    Fund,
    LedgerEntry,
    LedgerTransaction,
    Receipt,
    SpecialRound,
)
from guanhuai.registry.models import Household, Person
from guanhuai.web.demo import funds as funds_demo
from guanhuai.web.demo import funds_plan
from guanhuai.web.demo.system import system_user

RAISED = Decimal("38740000.00")
FUNDS_MODELS = (Fund, Donor, Donation, Receipt, LedgerTransaction, LedgerEntry, Disbursement, AuditEntry)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--small", "--no-job", *args, stdout=out)
    return out.getvalue()


# --- the plan (pure) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("today", [dt.date(2026, 11, 29), dt.date(2026, 1, 3), dt.date(2027, 6, 30)])
def test_the_full_plan_raises_exactly_38_74_million_and_pays_400_families_twice(today):
    plan = funds_plan.funds_plan(small=False, today=today)

    assert plan.raised == RAISED
    assert plan.round_families == 400 and plan.round_each == Decimal("3000.00") and len(plan.rounds) == 2
    assert plan.rounds_total == Decimal("2400000.00")
    partner = next(d for d in plan.donors if d.key == plan.partner)
    assert re.fullmatch(r"(香港|澳门).+同胞联谊会", partner.name)
    assert sum(g.amount for g in plan.gifts if g.donor == plan.partner) == Decimal("2400000.00")
    # Spread from the founding day in October 2011 to this year, never after today.
    days = [g.on for g in plan.gifts]
    assert min(days) == dt.date(2011, 10, 18) and max(days) <= today and max(days).year == today.year
    assert {g.channel for g in plan.gifts if g.kind == "cash"} == {
        "bank_transfer",
        "cash",
        "wechat",
        "alipay",
    }
    goods = [g for g in plan.gifts if g.kind == "in_kind"]
    assert len(goods) > 20 and all(g.items and g.quantity and g.valuation_basis for g in goods)
    assert {"大米", "食用花生油", "棉被"} <= {g.items.split("（")[0] for g in goods}
    # Reversed gifts are not money raised; the other mistakes are receipts voided or re-issued.
    assert len([g for g in plan.gifts if g.reverse_reason]) == 2
    assert sorted(g.receipt_action for g in plan.gifts if g.receipt_action) == ["reissue", "void"]


def test_the_small_plan_raises_the_same_total_with_a_handful_of_families():
    plan = funds_plan.funds_plan(small=True, today=dt.date(2026, 11, 29))

    assert plan.raised == RAISED
    assert 0 < plan.round_families <= funds_plan.SMALL_ROUND_FAMILIES
    assert len(plan.gifts) < 100


def test_demo_donors_have_valid_credit_codes_and_both_public_name_preferences():
    plan = funds_plan.funds_plan(small=False, today=dt.date(2026, 11, 29))
    codes = [d.credit_code for d in plan.donors if d.credit_code]

    assert len(codes) == len(funds_plan.ENTERPRISES) == len(set(codes))
    for code in codes:
        assert validate_credit_code(code) == code
    assert any(c.startswith("93") for c in codes)  # the farmers' co-operative
    people = [d for d in plan.donors if d.kind == "person"]
    assert {d.public_name for d in people} == {"named", "anonymous"}


def test_the_credit_code_check_characters_follow_gb_11714_and_gb_32100():
    # DOMAIN.md's valid example: organisation code 60003734-1, check character L.
    assert funds_plan.org_code_check("60003734") == "1"
    assert funds_plan.credit_code(authority_type="91", division="110000", org_body="60003734") == (
        "91110000600037341L"
    )
    with pytest.raises(ValidationError):
        validate_credit_code("91350203M0001QAY9B")  # the widely copied invalid one


# --- the demo ------------------------------------------------------------------------------------------


def test_demo_small_builds_the_birth_care_fund_family_with_the_articles_figures(db):
    output = run_demo()
    today = timezone.localdate()

    root = Fund.objects.get(name="广东省生育关怀基金", org_unit__code="440000")
    bereaved = Fund.objects.get(name="失独家庭帮扶专项")
    city = Fund.objects.get(name="韶关市生育关怀基金")
    assert root.founded_on == dt.date(2011, 10, 18) and not root.restricted and root.parent is None
    assert bereaved.restricted and bereaved.parent == root
    assert list(bereaved.allowed_purposes.values_list("code", flat=True)) == ["bereaved"]
    assert city.parent == root and city.org_unit.code == "440200"
    family = [root, bereaved, city]

    # 38.74 million raised, cash and in kind, reversals excluded, in the records AND in the statement.
    live = Donation.objects.filter(fund__in=family, reversed=False)
    assert live.aggregate(s=Sum("amount"))["s"] == RAISED
    assert live.filter(kind="in_kind").exists() and live.filter(kind="cash").exists()
    statement = funds_demo.family_statement(family, start=root.founded_on, end=today)
    assert statement["cash_donations"] + statement["in_kind_donations"] == RAISED
    assert statement["reconciled"]
    assert all(selectors.fund_statement(f, start=dt.date(2011, 1, 1), end=today).reconciled for f in family)
    assert "¥38,740,000.00" in output and "累计募集" in output

    # Two rounds with the partner association, the same bereaved families, 3,000 yuan each.
    rounds = list(SpecialRound.objects.order_by("paid_on"))
    assert len(rounds) == 2 and {r.fund for r in rounds} == {bereaved}
    assert all("同胞联谊会" in r.partner.name and r.amount_each == Decimal("3000.00") for r in rounds)
    paid = [set(Disbursement.objects.filter(round=r).values_list("person", flat=True)) for r in rounds]
    assert paid[0] == paid[1] and 0 < len(paid[0]) <= funds_plan.SMALL_ROUND_FAMILIES
    assert Disbursement.objects.filter(round=rounds[0]).count() == len(paid[0])
    for person in Person.objects.filter(pk__in=paid[0]):
        assert person.special_status == "bereaved" and person.died_on is None
    n = len(paid[0])
    assert statement["disbursements_by_purpose"]["失独家庭帮扶"] == Decimal("3000.00") * n * 2
    assert f"{n} 户 × ¥3,000.00" in output
    for purpose in ("青春健康", "计生三结合"):
        assert statement["disbursements_by_purpose"][purpose] > 0

    # Voided receipts keep their number and their reason; one is re-issued as a duplicate.
    voided = Receipt.objects.filter(status="voided")
    assert voided.count() == 4 and not voided.filter(void_reason="").exists()
    reissue = Receipt.objects.get(duplicate_of__isnull=False)
    assert reissue.duplicate_of.status == "voided" and reissue.status == "issued"
    gaps = selectors.receipt_gap_report(org_unit=root.org_unit, year=today.year)
    assert {g["status"] for g in gaps} == {"voided"}
    assert re.search(r"作废收据 4 张（均有原因），补开 1 张，缺号 0 个", output)
    assert Donation.objects.filter(reversed=True).count() == 2

    # The ledger reconciles; the month before this one is closed.
    assert selectors.reconcile().ok
    closed = ClosedPeriod.objects.get()
    assert closed.fund == root
    assert closed.period == f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
    assert "报表与总账一致：是" in output and "总账核对：通过" in output


def test_the_closed_month_refuses_a_late_donation(db):
    run_demo()
    root = Fund.objects.get(name="广东省生育关怀基金")
    closed = ClosedPeriod.objects.get(fund=root)
    day = dt.date.fromisoformat(f"{closed.period}-15")
    before = LedgerEntry.objects.count()

    with pytest.raises(PeriodClosed, match="已结账"):
        services.donation_record(
            actor=User.objects.get(username="jijin"),
            donor=Donor.objects.filter(kind="organisation").first(),
            fund=root,
            kind="cash",
            channel="bank_transfer",
            amount="100",
            received_on=day,
        )
    assert LedgerEntry.objects.count() == before


def test_running_the_demo_twice_changes_nothing_in_the_funds(db):
    run_demo()
    before = [m.objects.count() for m in FUNDS_MODELS]

    output = run_demo()

    assert [m.objects.count() for m in FUNDS_MODELS] == before
    assert "演示基金（已存在，未做任何修改）" in output
    assert "¥38,740,000.00" in output  # the summary is read back from the database


def test_the_funds_wait_for_the_registry_and_a_real_guangdong_gets_none(db):
    output = run_demo("--no-households")

    assert not Fund.objects.exists()
    assert "暂不建立演示基金" in output

    User.objects.filter(username="jijin").update(username="wang_wu")  # not a demo province any more
    run_demo()
    assert Household.objects.exists() and not Fund.objects.exists()

    User.objects.filter(username="wang_wu").update(username="jijin")
    run_demo()
    assert Fund.objects.filter(name="广东省生育关怀基金").exists()


def test_missing_bereaved_families_are_generated_set_based_in_demo_villages(db):
    run_demo("--no-households")
    run_demo()  # registry households and the funds (the small plan adds no family)
    before = dt.date(2024, 9, 20)
    have = funds_demo.eligible_families(before=before).count()
    persons, households = Person.objects.count(), Household.objects.count()
    villages = set(Household.objects.values_list("org_unit", flat=True))

    added = funds_demo.ensure_bereaved_families(actor=system_user(), want=have + 6, before=before)

    assert added >= 6
    assert funds_demo.eligible_families(before=before).count() >= have + 6
    assert Household.objects.count() == households + added
    top = Person.objects.order_by("pk").values_list("pk", flat=True)[persons - 1]
    new = Person.objects.filter(pk__gt=top)
    assert new.count() == Person.objects.count() - persons
    assert set(Household.objects.values_list("org_unit", flat=True)) == villages  # no new village
    for p in new.select_related("org_unit"):
        assert parse_resident_id(p.id_number).number == p.id_number
        assert p.id_number[:6] == p.org_unit.code[:6]
    assert Person.objects.values("id_index").distinct().count() == Person.objects.count()
    parents = new.filter(relation_to_head__in=["head", "spouse"])
    assert set(parents.values_list("special_status", flat=True)) == {"bereaved"}
    assert AuditEntry.objects.filter(action="registry.demo.bereaved_added", data__households=added).exists()
    # Enough already: nothing more.
    assert funds_demo.ensure_bereaved_families(actor=system_user(), want=have + 6, before=before) == 0
