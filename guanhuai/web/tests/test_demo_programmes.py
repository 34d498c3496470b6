"""The demo's assistance programmes: 仁化县 runs the three national programmes with applications at every
stage, open and closed notices, an upheld objection, two paid cycles with a failed payment re-issued, and
the year's re-confirmation flags."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db.models import Sum

from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEntry
from guanhuai.funds import selectors as fund_selectors
from guanhuai.funds.models import LedgerEntry
from guanhuai.programmes.models import (
    Application,
    Cycle,
    CycleApproval,
    Enrolment,
    Entitlement,
    Objection,
    Payment,
    PaymentBatch,
    Programme,
    PublicNotice,
)
from guanhuai.web.demo import programmes as programmes_demo

MODELS = (Programme, Application, PublicNotice, Objection, Enrolment, Cycle, Entitlement, Payment, AuditEntry)


def run_demo(capture, *args: str) -> str:
    out = StringIO()
    with capture(execute=True):  # the death's after-commit side effect, as in a real run
        call_command("demo", "--small", "--no-job", *args, stdout=out)
    return out.getvalue()


def test_the_county_runs_three_programmes_with_applications_at_every_stage(
    db, django_capture_on_commit_callbacks
):
    output = run_demo(django_capture_on_commit_callbacks)

    programmes = {p.template: p for p in Programme.objects.filter(org_unit__code="440224")}
    assert set(programmes) == {"special_assistance", "rural_reward", "childcare_subsidy"}
    for p in programmes.values():
        assert p.allocation is not None and p.allocation.fund.name == "仁化县计划生育家庭扶助资金"
    stages = set(Application.objects.values_list("status", "step"))
    assert {
        ("draft", ""),
        ("under_review", "village"),
        ("in_public_notice", "notice"),
        ("under_review", "township"),
        ("under_review", "county"),
        ("approved", ""),
        ("returned", ""),
        ("refused", ""),
    } <= stages
    refused = Application.objects.get(status="refused")
    assert refused.decisions.get(decision="refuse").comment  # the county explains a refusal
    # nobody passed what they recorded themselves
    for app in Application.objects.exclude(status="draft"):
        assert not app.decisions.filter(decision="pass", reviewer_id=app.created_by_id).exists()
    assert User.objects.get(username="cun_zhuren").home_unit.code == "440224100200"

    # Notices: closed ones and one open now; one objection upheld, its application returned.
    assert PublicNotice.objects.filter(status="closed").count() >= 2
    assert PublicNotice.objects.filter(status="open").count() == 1
    upheld = Objection.objects.get(status="upheld")
    assert upheld.resolution and upheld.application.status == "returned"
    assert "异议成立 1 件" in output

    # Every approved application enrolled its person.
    for app in Application.objects.filter(status="approved"):
        assert Enrolment.objects.filter(application=app, person=app.person).exists()
    assert "演示扶助项目（用时" in output


def test_two_cycles_are_paid_through_the_bank_and_the_failed_payment_is_reissued(
    db, django_capture_on_commit_callbacks
):
    output = run_demo(django_capture_on_commit_callbacks)
    special = Programme.objects.get(org_unit__code="440224", template="special_assistance")

    cycles = list(Cycle.objects.filter(programme=special).order_by("first_month"))
    assert len(cycles) == 2 and cycles[1].first_month == cycles[0].first_month + 1
    for cycle in cycles:
        approvers = set(
            CycleApproval.objects.filter(cycle=cycle).values_list("approver__username", flat=True)
        )
        assert approvers == {"xian_shenpi", "jijin"} and cycle.generated_by.username == "caiwu"
        assert cycle.approved_at is not None
        entitlements = Entitlement.objects.filter(cycle=cycle)
        assert entitlements.exists() and not entitlements.exclude(status="paid").exists()
        assert cycle.batches.filter(exported_at__isnull=True).count() == 0
        assert cycle.batches.filter(result_files__isnull=True).count() == 0

    # One payment failed in the first cycle; the account was corrected and it was paid in a follow-up.
    failed = Payment.objects.get(status="failed")
    assert failed.batch.cycle == cycles[0] and failed.failure_reason == "账户已销户"
    follow_up = PaymentBatch.objects.get(follow_up_of__isnull=False)
    assert follow_up.follow_up_of == failed.batch
    again = Payment.objects.get(batch=follow_up)
    assert again.entitlement == failed.entitlement and again.status == "paid"
    assert again.account_masked != failed.account_masked

    # What was paid is in the fund's ledger, and the books balance.
    paid = Payment.objects.filter(status="paid").aggregate(t=Sum("amount"))["t"]
    spent = LedgerEntry.objects.filter(fund=special.allocation.fund, account="disbursements").aggregate(
        t=Sum("amount")
    )["t"]
    assert paid > 0 and Decimal(spent) == paid
    assert fund_selectors.reconcile().ok
    assert "发放失败后补发批次 1 个" in output


def test_the_reconfirmation_flags_and_exits_nobody(db, django_capture_on_commit_callbacks):
    output = run_demo(django_capture_on_commit_callbacks)
    special = Programme.objects.get(org_unit__code="440224", template="special_assistance")
    assert AuditEntry.objects.filter(
        action="programmes.reconfirmation.run", object_id=str(special.pk)
    ).exists()
    flagged = Enrolment.objects.exclude(flag="")
    assert flagged.exists()
    # The only exits are deaths recorded in the registry, not the re-confirmation.
    assert set(Enrolment.objects.filter(status="exited").values_list("exit_reason", flat=True)) <= {"died"}
    # a father died in the first paid month: his later month was paid, so he is flagged for recovery
    dead = Enrolment.objects.get(programme=special, person__died_on__isnull=False)
    assert (dead.status, dead.exit_reason, dead.flag) == ("exited", "died", "died")
    assert Enrolment.objects.filter(
        programme=special, person__household=dead.person.household, status="active"
    ).exists()
    assert "资格确认待复核" in output


def test_running_the_demo_twice_changes_nothing_in_the_programmes(db, django_capture_on_commit_callbacks):
    run_demo(django_capture_on_commit_callbacks)
    before = [m.objects.count() for m in MODELS]

    output = run_demo(django_capture_on_commit_callbacks)

    assert [m.objects.count() for m in MODELS] == before
    assert "演示扶助项目（已存在，未做任何修改）" in output


def test_the_programmes_wait_for_the_registry(db, django_capture_on_commit_callbacks):
    output = run_demo(django_capture_on_commit_callbacks, "--no-households")
    assert not Programme.objects.exists()
    assert "演示扶助项目需要演示户籍人口" in output
    assert programmes_demo.demo_summary().skipped
