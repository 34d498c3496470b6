"""The demo's Birth Care Fund: the provincial 生育关怀基金 of 广东省 with its two sub-funds, built from
`funds_plan.funds_plan()` through the funds services, as the demo's fund manager (`jijin`, province) and
finance officer (`caiwu`, 韶关市) would enter it.

- Every gift goes through `services.donation_record`, so each one posts to the ledger and gets its
  numbered receipt. (`receipt_issue` dates a receipt today; so do the demo's receipts.)
- The partner association's two rounds go through `services.special_round_create` and pay bereaved
  families of the registry. The registry demo holds a few dozen; when there are fewer than the plan needs,
  more are generated set-based by the registry demo's own generator (`households.Generator`) in villages
  of the three demo cities that already have households, and their status is derived as the generator
  derives it for every other family (`registry.family.facts_at_insert`). `--small` adds none: it pays the
  families it has (at most `SMALL_ROUND_FAMILIES`).
- The month before this one is closed on the provincial fund once everything is posted.

It runs in one transaction, once: if the provincial fund exists, nothing is written. It needs the demo
accounts and the registry households, and waits for them (a later `guanhuai demo` builds it).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts.actor import Actor
from guanhuai.accounts.models import User
from guanhuai.audit.services import log
from guanhuai.core.errors import DomainError
from guanhuai.core.money import yuan
from guanhuai.funds import selectors, services
from guanhuai.funds.models import ClosedPeriod, Donation, Donor, Fund, Pledge, Purpose, Receipt, SpecialRound
from guanhuai.funds.states import ReceiptStatus, Schedule, TargetKind
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.registry.models import Household, ParentChild, Person
from guanhuai.registry.services import id_lookup_key
from guanhuai.registry.states import SpecialStatus
from guanhuai.web.demo import funds_plan, households
from guanhuai.web.demo.funds_plan import Plan
from guanhuai.web.demo.province import DEMO_CITIES, PROVINCE_CODE
from guanhuai.web.demo.system import system_user

MANAGER, FINANCE = "jijin", "caiwu"  # the demo's fund manager (province) and finance officer (韶关市)


@dataclass
class FundsSummary:
    """What the demo shows, read back from the database (not from the plan)."""

    built: bool = False  # written by this run
    skipped: str = ""  # why nothing was built
    seconds: float = 0.0
    families_added: int = 0
    funds: list[Fund] = field(default_factory=list)
    statement: dict[str, Any] = field(default_factory=dict)
    raised: Decimal = Decimal("0.00")
    cash: Decimal = Decimal("0.00")
    in_kind: Decimal = Decimal("0.00")
    donations: int = 0
    donors: int = 0
    rounds: list[dict[str, Any]] = field(default_factory=list)
    voided: int = 0
    reissued: int = 0
    missing_numbers: int = 0
    pledges: list[dict[str, Any]] = field(default_factory=list)
    closed_periods: list[str] = field(default_factory=list)
    reconciled: bool = False
    ledger_ok: bool = False
    transactions: int = 0
    entries: int = 0

    @property
    def rounds_total(self) -> Decimal:
        return sum((r["total"] for r in self.rounds), Decimal("0.00"))


# --- the bereaved families ---------------------------------------------------------------------------


def _in_cities(code_field: str = "org_unit__code") -> Q:
    q = Q()
    for city in DEMO_CITIES:
        q |= Q(**{f"{code_field}__startswith": city[:4]})
    return q


def eligible_families(*, before: dt.date) -> QuerySet[Person]:
    """One living parent (the household head) per bereaved family in the demo cities whose only child
    died before `before`: a round pays families that were bereaved when it was paid."""
    child_died = ParentChild.objects.filter(parent=OuterRef("pk"), child__died_on__lt=before)
    return (
        Person.objects.filter(
            _in_cities(),
            special_status=SpecialStatus.BEREAVED,
            died_on__isnull=True,
            pk=F("household__head_id"),
        )
        .filter(Exists(child_died))
        .select_related("org_unit")
        .order_by("org_unit__code", "pk")
    )


class _Generator(households.Generator):
    """The registry demo's generator, refusing ID numbers already registered: it only knows the ones it
    drew itself, and these families join villages that already have people."""

    def __init__(self, *, taken: set[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.taken = taken

    def _id_number(self, area: str, birth: dt.date, sex: str) -> str:
        while True:
            number = super()._id_number(area, birth, sex)
            if id_lookup_key(number) not in self.taken:
                return number


def ensure_bereaved_families(*, actor: Actor, want: int, before: dt.date, seed: int = funds_plan.SEED) -> int:
    """Add bereaved families in the demo cities until `want` are eligible for a round paid on `before`.

    They go round-robin into villages (in a seeded order) that already have households, numbered after
    the village's own households. A family whose child happened to die later is still a bereaved family,
    just not one this round may pay, hence the loop. Returns the number of families added."""
    import random

    missing = want - eligible_families(before=before).count()
    if missing <= 0:
        return 0
    units = OrgUnit.objects.filter(
        _in_cities("code"), level=Level.VILLAGE, pk__in=Household.objects.values("org_unit")
    )
    villages = households.villages_for(units)
    if not villages:
        return 0
    random.Random(f"{seed}:bereaved").shuffle(villages)
    numbers: dict[int, int] = defaultdict(int)
    for unit_id, number in Household.objects.filter(org_unit__in=units).values_list("org_unit", "number"):
        n = int(number.rpartition("-")[2]) if number.rpartition("-")[2].isdigit() else 0
        if n < 900:  # the registry demo's `ensure` families are numbered from 900
            numbers[unit_id] = max(numbers[unit_id], n)
    taken: set[str] = {
        key
        for key in Person.objects.filter(_in_cities(), id_index__isnull=False).values_list(
            "id_index", flat=True
        )
        if key
    }
    added, attempt, cursor = 0, 0, 0
    while missing > 0 and attempt < 6:
        gen = _Generator(taken=taken, recorded_by=actor, seed=seed * 1000 + attempt, residences={})
        for _i in range(math.ceil(missing * 1.2) + 2):
            village = villages[cursor % len(villages)]
            cursor += 1
            numbers[village.id] += 1
            gen.family(village, "bereaved", numbers[village.id])
        result = gen.finish()
        added += result.households
        attempt += 1
        missing = want - eligible_families(before=before).count()
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    log(
        province,
        "registry.demo.bereaved_added",
        actor=actor,
        org_unit=province,
        data={"households": added, "reason": "funds demo: special rounds"},
    )
    return added


# --- the build ---------------------------------------------------------------------------------------


def root_fund() -> Fund | None:
    spec = funds_plan.FUNDS[0]
    return Fund.objects.filter(org_unit__code=spec.unit, name=spec.name, parent__isnull=True).first()


def _actors() -> tuple[User, User] | None:
    manager = User.objects.filter(username=MANAGER, home_unit__code=PROVINCE_CODE).first()
    finance = User.objects.filter(username=FINANCE, home_unit__code="440200").first()
    return (manager, finance) if manager and finance else None


def demo_build(*, small: bool, today: dt.date | None = None) -> FundsSummary:
    """Build the Birth Care Fund family once; then (and on every later run) summarise it."""
    if root_fund() is not None:
        return demo_summary()
    actors = _actors()
    if actors is None:
        return FundsSummary(skipped=_("没有演示账号（jijin、caiwu），不建立演示基金。"))
    if not Person.objects.filter(_in_cities(), special_status=SpecialStatus.BEREAVED).exists():
        return FundsSummary(skipped=_("还没有演示户籍人口（失独家庭），暂不建立演示基金。"))
    today = today or timezone.localdate()
    plan = funds_plan.funds_plan(small=small, today=today)
    started = time.perf_counter()
    with transaction.atomic():
        added = _build(plan, *actors)
    summary = demo_summary()
    summary.built, summary.families_added = True, added
    summary.seconds = time.perf_counter() - started
    return summary


def _build(plan: Plan, manager: User, finance: User) -> int:
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={f.unit for f in plan.funds})}
    purposes = {p.code: p for p in Purpose.objects.all()}
    funds: dict[str, Fund] = {}
    for spec in plan.funds:
        funds[spec.key] = services.fund_create(
            actor=manager,
            org_unit=units[spec.unit],
            name=spec.name,
            founded_on=spec.founded_on,
            purpose=spec.purpose,
            restricted=spec.restricted,
            allowed_purposes=[purposes[p] for p in spec.purposes],
            parent=funds[spec.parent] if spec.parent else None,
        )

    def recorder(fund_key: str) -> User:
        return finance if fund_key == funds_plan.CITY else manager

    donors: dict[str, Donor] = {}
    for d in plan.donors:
        donors[d.key] = services.donor_create(
            actor=finance if d.unit == "440200" else manager,
            org_unit=units[d.unit],
            kind=d.kind,
            name=d.name,
            credit_code=d.credit_code,
            contact_name=d.contact_name,
            phone=d.phone,
            address=d.address,
            public_name=d.public_name,
        )
    pledges: dict[str, Pledge] = {
        p.key: services.pledge_create(
            actor=recorder(p.fund),
            donor=donors[p.donor],
            fund=funds[p.fund],
            amount=p.amount,
            schedule=p.schedule,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            note=p.note,
        )
        for p in plan.pledges
    }

    for gift in plan.gifts:
        donation, _created = services.donation_record(
            actor=recorder(gift.fund),
            donor=donors[gift.donor],
            fund=funds[gift.fund],
            kind=gift.kind,
            amount=gift.amount,
            received_on=gift.on,
            channel=gift.channel,
            purpose=purposes[gift.purpose] if gift.purpose else None,
            items=gift.items,
            quantity=gift.quantity,
            valuation_basis=gift.valuation_basis,
            pledge=pledges[gift.pledge] if gift.pledge else None,
        )
        if gift.reverse_reason:
            services.donation_reverse(
                actor=manager,
                donation=donation,
                reason=gift.reverse_reason,
                posted_on=min(gift.on + dt.timedelta(days=3), plan.today),
            )
        elif gift.receipt_action:
            receipt = donation.receipts.get()
            if gift.receipt_action == "reissue":
                services.receipt_reissue(actor=manager, receipt=receipt, reason=gift.receipt_reason)
            else:
                services.receipt_void(actor=manager, receipt=receipt, reason=gift.receipt_reason)

    for t in plan.transfers:
        services.transfer_record(
            actor=manager,
            from_fund=funds[t.source],
            to_fund=funds[t.target],
            amount=t.amount,
            posted_on=t.on,
            note=t.note,
        )
    for a in plan.allocations:
        allocation, _created = services.allocation_create(
            actor=manager,
            fund=funds[a.fund],
            purpose=purposes[a.purpose],
            target_kind=TargetKind.PROJECT,
            target_ref=a.target_ref,
            name=a.name,
            amount=a.amount,
            posted_on=a.on,
        )
        for pay in a.payments:
            services.disbursement_record(
                actor=recorder(a.fund),
                allocation=allocation,
                amount=pay.amount,
                paid_on=pay.on,
                payee=pay.payee,
            )
        if a.close_on:
            services.allocation_close(actor=manager, allocation=allocation, posted_on=a.close_on)

    first_round = min(r.paid_on for r in plan.rounds)
    added = 0
    if not plan.small:
        added = ensure_bereaved_families(actor=system_user(), want=plan.round_families, before=first_round)
    families = list(eligible_families(before=first_round)[: plan.round_families])
    if not families:
        raise DomainError(_("演示省没有可发放专项救助的失独家庭。"))
    for r in plan.rounds:
        services.special_round_create(
            actor=manager,
            fund=funds[funds_plan.BEREAVED],
            name=r.name,
            purpose=purposes["bereaved"],
            amount_each=plan.round_each,
            persons=families,
            paid_on=r.paid_on,
            idempotency_key=r.key,
            partner=donors[plan.partner],
        )
    services.period_close(actor=manager, fund=funds[funds_plan.PROVINCE], period=plan.closed_period)
    return added


# --- the summary -------------------------------------------------------------------------------------


def family_funds(root: Fund) -> list[Fund]:
    """The fund and its sub-funds (one level: the demo's family)."""
    return [root, *Fund.objects.filter(parent=root).order_by("pk")]


def family_statement(funds: list[Fund], *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The statements of a fund family, added up. Transfers inside the family cancel out."""
    total: dict[str, Any] = defaultdict(lambda: Decimal("0.00"))
    by_purpose: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    reconciled = True
    for f in funds:
        st = selectors.fund_statement(f, start=start, end=end)
        reconciled &= st.reconciled
        for name in (
            "opening",
            "opening_in_kind",
            "cash_donations",
            "in_kind_donations",
            "transfers_in",
            "transfers_out",
            "in_kind_distributed",
            "closing",
            "closing_in_kind",
        ):
            total[name] += getattr(st, name)
        for purpose, amount in st.disbursements_by_purpose.items():
            by_purpose[purpose] += amount
    return {
        **total,
        "start": start,
        "end": end,
        "disbursements_by_purpose": dict(sorted(by_purpose.items())),
        "disbursements": sum(by_purpose.values(), Decimal("0.00")),
        "reconciled": reconciled,
    }


def pledge_due(pledge: Pledge, today: dt.date) -> Decimal:
    """What the donor had promised by `today`: the instalments falling due so far."""
    end = min(pledge.ends_on or today, today)
    if pledge.starts_on > end:
        return Decimal("0.00")
    if pledge.schedule == Schedule.ONCE:
        return pledge.amount
    step = {Schedule.MONTHLY: 1, Schedule.QUARTERLY: 3, Schedule.YEARLY: 12}[Schedule(pledge.schedule)]
    months = (end.year - pledge.starts_on.year) * 12 + end.month - pledge.starts_on.month
    if end.day < pledge.starts_on.day:
        months -= 1
    return pledge.amount * (months // step + 1)


def demo_summary(today: dt.date | None = None) -> FundsSummary:
    today = today or timezone.localdate()
    root = root_fund()
    if root is None:
        return FundsSummary(skipped=_("演示基金尚未建立。"))
    funds = family_funds(root)
    s = FundsSummary(funds=funds)
    s.statement = family_statement(funds, start=root.founded_on, end=today)
    s.cash, s.in_kind = s.statement["cash_donations"], s.statement["in_kind_donations"]
    s.raised = s.cash + s.in_kind
    live = Donation.objects.filter(fund__in=funds, reversed=False)
    s.donations = live.count()
    s.donors = live.values("donor").distinct().count()
    for rnd in (
        SpecialRound.objects.filter(fund__in=funds)
        .annotate(families=Count("disbursements"), total=Sum("disbursements__amount"))
        .select_related("partner")
        .order_by("paid_on")
    ):
        s.rounds.append(
            {
                "name": rnd.name,
                "paid_on": rnd.paid_on,
                "families": rnd.families,
                "each": rnd.amount_each,
                "total": rnd.total or Decimal("0.00"),
                "partner": rnd.partner.name if rnd.partner else "",
            }
        )
    issuers = {f.org_unit_id: f.org_unit for f in funds}
    years = Receipt.objects.filter(org_unit__in=issuers).order_by().values_list("org_unit", "year").distinct()
    for unit_id, year in years:
        for gap in selectors.receipt_gap_report(org_unit=issuers[unit_id], year=year):
            if gap["status"] == ReceiptStatus.VOIDED:
                s.voided += 1
            else:
                s.missing_numbers += 1
    s.reissued = Receipt.objects.filter(org_unit__in=issuers, duplicate_of__isnull=False).count()
    for pledge in Pledge.objects.filter(fund__in=funds).select_related("donor", "fund").order_by("pk"):
        received = Donation.objects.filter(pledge=pledge, reversed=False).aggregate(s=Sum("amount"))["s"]
        s.pledges.append(
            {
                "donor": pledge.donor.name,
                "schedule": pledge.get_schedule_display(),
                "amount": pledge.amount,
                "due": pledge_due(pledge, today),
                "received": received or Decimal("0.00"),
            }
        )
    s.closed_periods = [
        f"{c.fund.name} {c.period}"
        for c in ClosedPeriod.objects.filter(fund__in=funds).select_related("fund")
    ]
    s.reconciled = s.statement["reconciled"]
    rec = selectors.reconcile()
    s.ledger_ok, s.transactions, s.entries = rec.ok, rec.transactions, rec.entries
    return s


def summary_lines(s: FundsSummary) -> list[str]:
    if s.skipped:
        return ["", s.skipped]
    st = s.statement
    root = s.funds[0]
    lines = [
        "",
        (_("演示基金（用时 %(s).1f 秒）：") % {"s": s.seconds})
        if s.built
        else _("演示基金（已存在，未做任何修改）："),
        _("  %(name)s（%(date)s 设立）及其子基金：%(subs)s")
        % {
            "name": root.name,
            "date": root.founded_on.isoformat(),
            "subs": "、".join(f.name for f in s.funds[1:]),
        },
        _("  累计募集（资金和物资，不含已冲销）\t%(v)s") % {"v": yuan(s.raised)},
        _("    其中资金 %(cash)s，物资 %(goods)s；%(n)s 笔捐赠，%(d)s 位捐赠人")
        % {"cash": yuan(s.cash), "goods": yuan(s.in_kind), "n": f"{s.donations:,}", "d": s.donors},
    ]
    for r in s.rounds:
        lines.append(
            _("  %(name)s（%(date)s）：%(n)s 户 × %(each)s = %(total)s")
            % {
                "name": r["name"],
                "date": r["paid_on"].isoformat(),
                "n": r["families"],
                "each": yuan(r["each"]),
                "total": yuan(r["total"]),
            }
        )
    lines.append(_("  专项救助合计（%(n)d 轮）\t%(v)s") % {"n": len(s.rounds), "v": yuan(s.rounds_total)})
    lines.append(
        _("  作废收据 %(v)d 张（均有原因），补开 %(r)d 张，缺号 %(m)d 个")
        % {"v": s.voided, "r": s.reissued, "m": s.missing_numbers}
    )
    for p in s.pledges:
        lines.append(
            _("  认捐：%(donor)s，%(schedule)s %(amount)s，到期应到 %(due)s，实到 %(received)s")
            % {k: (yuan(v) if isinstance(v, Decimal) else v) for k, v in p.items()}
        )
    lines.append(
        _(
            "  基金报表 %(start)s 至 %(end)s：期初 %(opening)s，资金捐赠 %(cash)s，物资捐赠 %(goods)s，期末资金 %(closing)s，期末物资 %(closing_goods)s"
        )
        % {
            "start": st["start"].isoformat(),
            "end": st["end"].isoformat(),
            "opening": yuan(st["opening"]),
            "cash": yuan(st["cash_donations"]),
            "goods": yuan(st["in_kind_donations"]),
            "closing": yuan(st["closing"]),
            "closing_goods": yuan(st["closing_in_kind"]),
        }
    )
    for purpose, amount in st["disbursements_by_purpose"].items():
        lines.append(_("    支出·%(p)s\t%(v)s") % {"p": purpose, "v": yuan(amount)})
    lines.append(
        _("  已结账：%(p)s；报表与总账一致：%(r)s；总账核对：%(ok)s（%(t)s 笔交易，%(e)s 条分录）")
        % {
            "p": "、".join(s.closed_periods) or "—",
            "r": _("是") if s.reconciled else _("否"),
            "ok": _("通过") if s.ledger_ok else _("未通过"),
            "t": f"{s.transactions:,}",
            "e": f"{s.entries:,}",
        }
    )
    if s.families_added:
        lines.append(
            _("  为专项救助在演示市的村中补充生成了 %(n)d 户失独家庭（户籍演示数据中不足 %(want)d 户）。")
            % {"n": s.families_added, "want": funds_plan.ROUND_FAMILIES}
        )
    return lines
