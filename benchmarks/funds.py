"""`guanhuai bench funds`: the funds ledger at a million entries.

Builds 50 funds (one in five restricted to a single purpose) under 1 province and 10 cities, then about
1,000,000 ledger entries dated 2016–2025, with the business records beside them: cash and in-kind
donations, allocations, disbursements, transfers between funds, and reversals of donations. Each fund's
history is drawn in date order with its balances tracked, so no available cash, goods or allocation ever
goes below zero, exactly as `funds.ledger.post` would allow. The rows are written set-based (PostgreSQL
`COPY`, SQLite `executemany`), never through per-row saves; then 1,000 receipts are issued for donations.

Then it times (each figure the median of `--runs` runs unless it says otherwise):

- (a) a fund statement for one year, `funds.selectors.fund_statement` (grouped SQL), against the same
  statement summed in Python over the fund's entries loaded as model instances;
- (b) a full-ledger reconciliation, `funds.selectors.reconcile` (a handful of grouped queries), against
  the same checks done in Python over every entry;
- (c) 1,000 receipt PDFs through `guanhuai.funds.documents.receipt_pdf`, when that module exists;
- and, for scale, the cost per entry of the services path (`services.donation_record`, which also issues
  a receipt and writes audit entries) against the bulk build.

Both sides of every comparison must give the same answer, or the run stops.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.funds_bulk import bench_post_many
from guanhuai.accounts.actor import Actor
from guanhuai.funds import selectors, services
from guanhuai.funds.models import (
    Allocation,
    Disbursement,
    Donation,
    Donor,
    Fund,
    LedgerEntry,
    LedgerTransaction,
    Purpose,
    Receipt,
    ReceiptSequence,
)
from guanhuai.funds.states import Account, TxnKind
from guanhuai.orgs.bulk import Row, tree_bulk_create
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.web.demo.system import system_user

HELP = "基金总账基准：50 个基金、100 万条分录上的年度基金报表、全账核对和 1,000 张收据 PDF（在临时数据库中运行）。"

FUNDS = 50
ENTRIES = 1_000_000
FIRST_DAY, LAST_DAY = dt.date(2016, 1, 1), dt.date(2025, 12, 31)
STATEMENT_YEAR = 2024
RECEIPTS = 1_000
DONORS = 2_000
TARGETS_S = {"statement": 1.0, "reconcile": 10.0, "pdfs": 60.0}
CITIES = (
    ("440100", "广州市"), ("440200", "韶关市"), ("440300", "深圳市"), ("440400", "珠海市"),
    ("440500", "汕头市"), ("440600", "佛山市"), ("441400", "梅州市"), ("441800", "清远市"),
    ("441900", "东莞市"), ("442000", "中山市"),
)  # fmt: skip
CHANNELS = ("bank_transfer", "cash", "wechat", "alipay")
SEED = 2011
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def add_arguments(parser: Any) -> None:
    parser.add_argument("--runs", type=int, default=5, help="每项计时的次数（取中位数），默认 5。")
    parser.add_argument("--naive-runs", type=int, default=1, help="朴素做法的计时次数（很慢），默认 1。")
    parser.add_argument("--receipts", type=int, default=RECEIPTS, help="生成收据 PDF 的张数，默认 1000。")
    parser.add_argument(
        "--service-sample",
        type=int,
        default=200,
        help="经服务逐笔登记捐赠的笔数（用于对比），默认 200；0 跳过。",
    )
    parser.add_argument(
        "--bulk-postings",
        type=int,
        default=2000,
        help="批量记账对比的笔数（post_many 与逐笔 post），默认 2000；0 跳过。",
    )
    parser.add_argument(
        "--covering-index",
        action="store_true",
        help="另外在临时库中建一个覆盖索引 (fund, account, posted_on) + amount，再测一次报表。",
    )


# --- writing rows set-based ---------------------------------------------------------------------------


class _Writer:
    """Rows straight into a table: `COPY` on PostgreSQL, `executemany` on SQLite. Ids are given by the
    caller (this is a scratch database with one writer); the PostgreSQL sequences are moved past them at
    the end (`fix_sequences`)."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.ops = connection.ops
        self.rows = 0

    def insert(self, model: Any, attnames: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        fields = {f.attname: f for f in model._meta.concrete_fields}
        columns = [fields[a].column for a in attnames]
        table = model._meta.db_table
        self.rows += len(rows)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                from psycopg import sql

                query = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.cursor.copy(query) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            quoted = ", ".join(self.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from model metadata, never from input.
            cursor.executemany(
                f"INSERT INTO {self.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                rows,
            )

    def fix_sequences(self, models: list[Any]) -> None:
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM {table}",
                    [table],
                )


TXN_COLS = [
    "id",
    "kind",
    "posted_on",
    "description",
    "reverses_id",
    "actor_id",
    "created_at",
    "idempotency_key",
]
ENTRY_COLS = [
    "id",
    "transaction_id",
    "fund_id",
    "account",
    "amount",
    "purpose_id",
    "allocation_id",
    "posted_on",
]
DONATION_COLS = [
    "id", "donor_id", "fund_id", "purpose_id", "kind", "amount", "channel", "items", "quantity",
    "valuation_basis", "received_on", "pledge_id", "transaction_id", "reversed", "recorded_by_id", "created_at",
]  # fmt: skip
ALLOCATION_COLS = [
    "id", "fund_id", "purpose_id", "target_kind", "target_ref", "name", "amount", "status", "approved_by_id",
    "created_at", "idempotency_key",
]  # fmt: skip
DISBURSEMENT_COLS = [
    "id", "allocation_id", "person_id", "payee", "amount", "paid_on", "round_id", "transaction_id", "reversed",
    "created_at",
]  # fmt: skip


class LedgerBuilder:
    """Draws each fund's history in date order and writes it fund by fund. Balances are tracked as
    integer cents, so what is drawn can never overdraw; amounts are written as Decimals."""

    def __init__(self, *, funds: list[Fund], purposes: dict[int, list[int]], donors: list[int], actor: Actor):
        self.rng = random.Random(SEED)
        self.funds = funds
        self.unrestricted = [f.pk for f in funds if not f.restricted]
        self.purposes = purposes  # fund id → purpose ids it may use
        self.donors = donors
        self.actor_id = actor.pk
        self.now = timezone.now()
        self.writer = _Writer()
        self.vendor = connection.vendor
        self.next = defaultdict(lambda: 1)  # table → next id
        self.cash: dict[int, int] = defaultdict(int)  # fund → available cents
        self.counts: dict[str, int] = defaultdict(int)
        self._reset()

    def _reset(self) -> None:
        self.txns: list[tuple[Any, ...]] = []
        self.entries: list[tuple[Any, ...]] = []
        self.donations: list[list[Any]] = []
        self.allocations: list[tuple[Any, ...]] = []
        self.disbursements: list[tuple[Any, ...]] = []

    def _id(self, table: str) -> int:
        n = self.next[table]
        self.next[table] = n + 1
        return n

    def _day(self, day: dt.date) -> Any:
        return day if self.vendor == "postgresql" else day.isoformat()

    def _txn(self, kind: str, day: dt.date, description: str, reverses: int | None = None) -> int:
        pk = self._id("txn")
        created = (
            self.now if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(self.now)
        )
        self.txns.append((pk, kind, self._day(day), description, reverses, self.actor_id, created, None))
        self.counts[kind] += 1
        return pk

    def _entry(self, txn: int, fund: int, account: str, cents: int, day: dt.date, purpose=None, alloc=None):
        self.entries.append(
            (self._id("entry"), txn, fund, account, Decimal(cents).scaleb(-2), purpose, alloc, self._day(day))
        )

    def fund_history(self, fund: Fund, entries: int) -> None:
        """About `entries` entries for this fund, spread evenly over the ten years."""
        rng, f = self.rng, fund.pk
        purposes = self.purposes[f]
        restricted_purpose = purposes[0] if fund.restricted else None
        n_txn = max(4, entries // 2)
        span = (LAST_DAY - FIRST_DAY).days
        allocations: list[list[int]] = []  # [allocation id, remaining cents, purpose]
        recent: list[tuple[int, int, int]] = []  # (donation row index, txn, cents) not yet reversed
        in_kind = 0
        made = 0
        i = 0
        while made < entries:
            day = FIRST_DAY + dt.timedelta(days=min(span, i * span // n_txn))
            i += 1
            r = rng.random()
            cash = self.cash[f]
            if r < 0.08:  # goods
                cents = rng.randrange(50_000, 5_000_000)
                txn = self._txn(TxnKind.IN_KIND, day, "物资捐赠")
                self._entry(txn, f, Account.IN_KIND, cents, day, restricted_purpose)
                self._entry(txn, f, Account.IN_KIND_DONATIONS, -cents, day, restricted_purpose)
                self._donation(txn, f, restricted_purpose, "in_kind", cents, day)
                in_kind += cents
            elif r < 0.14 and cash > 1_000_000:  # an allocation of part of the available cash
                cents = cash * rng.randrange(20, 60) // 100
                purpose = restricted_purpose or rng.choice(purposes)
                alloc = self._id("allocation")
                self.allocations.append(
                    (alloc, f, purpose, "project", f"project:{alloc}", f"基准分配 {alloc}", Decimal(cents).scaleb(-2),
                     "active", self.actor_id, self.writer_now(), None)
                )  # fmt: skip
                txn = self._txn(TxnKind.ALLOCATION, day, f"分配：基准分配 {alloc}")
                self._entry(txn, f, Account.ALLOCATED, cents, day, purpose, alloc)
                self._entry(txn, f, Account.CASH, -cents, day, purpose)
                allocations.append([alloc, cents, purpose])
                self.cash[f] -= cents
            elif r < 0.48 and allocations and allocations[-1][1] > 0:  # a disbursement
                alloc = allocations[-1] if rng.random() < 0.8 else rng.choice(allocations)
                if alloc[1] <= 0:
                    alloc = allocations[-1]
                cents = min(alloc[1], rng.randrange(20_000, 800_000))
                txn = self._txn(TxnKind.DISBURSEMENT, day, f"支出：基准分配 {alloc[0]}")
                self._entry(txn, f, Account.DISBURSEMENTS, cents, day, alloc[2], alloc[0])
                self._entry(txn, f, Account.ALLOCATED, -cents, day, alloc[2], alloc[0])
                self.disbursements.append(
                    (self._id("disbursement"), alloc[0], None, "基准收款单位", Decimal(cents).scaleb(-2),
                     self._day(day), None, txn, False, self.writer_now())
                )  # fmt: skip
                alloc[1] -= cents
            elif r < 0.49 and not fund.restricted and cash > 1_000_000 and len(self.unrestricted) > 1:
                to = rng.choice([g for g in self.unrestricted if g != f])
                cents = cash // 20
                txn = self._txn(TxnKind.TRANSFER, day, "基金间转账")
                self._entry(txn, f, Account.TRANSFERS_OUT, cents, day)
                self._entry(txn, f, Account.CASH, -cents, day)
                self._entry(txn, to, Account.CASH, cents, day)
                self._entry(txn, to, Account.TRANSFERS_IN, -cents, day)
                self.cash[f] -= cents
                self.cash[to] += cents
            elif r < 0.495 and recent and cash >= recent[-1][2]:  # a donation recorded in error, reversed
                index, original, cents = recent.pop()
                txn = self._txn(TxnKind.REVERSAL, day, "冲销：重复登记", reverses=original)
                self._entry(txn, f, Account.CASH, -cents, day, restricted_purpose)
                self._entry(txn, f, Account.DONATIONS, cents, day, restricted_purpose)
                self.donations[index][13] = True
                self.cash[f] -= cents
            else:  # a cash donation
                cents = rng.randrange(1_000, 2_000_000)
                txn = self._txn(TxnKind.DONATION, day, "资金捐赠")
                self._entry(txn, f, Account.CASH, cents, day, restricted_purpose)
                self._entry(txn, f, Account.DONATIONS, -cents, day, restricted_purpose)
                index = self._donation(txn, f, restricted_purpose, "cash", cents, day)
                recent = recent[-20:] + [(index, txn, cents)]
                self.cash[f] += cents
            made = len(self.entries)
        self.flush()

    def writer_now(self) -> Any:
        return self.now if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(self.now)

    def _donation(self, txn: int, fund: int, purpose: int | None, kind: str, cents: int, day: dt.date) -> int:
        rng = self.rng
        self.donations.append(
            [
                self._id("donation"), rng.choice(self.donors), fund, purpose, kind, Decimal(cents).scaleb(-2),
                rng.choice(CHANNELS) if kind == "cash" else "", "大米（10公斤装）" if kind == "in_kind" else "",
                "100袋" if kind == "in_kind" else "", "市场价" if kind == "in_kind" else "", self._day(day), None,
                txn, False, self.actor_id, self.writer_now(),
            ]
        )  # fmt: skip
        return len(self.donations) - 1

    def flush(self) -> None:
        with transaction.atomic():
            w = self.writer
            w.insert(LedgerTransaction, TXN_COLS, self.txns)
            w.insert(Allocation, ALLOCATION_COLS, self.allocations)
            w.insert(LedgerEntry, ENTRY_COLS, self.entries)
            w.insert(Donation, DONATION_COLS, [tuple(d) for d in self.donations])
            w.insert(Disbursement, DISBURSEMENT_COLS, self.disbursements)
        self.counts["entries"] += len(self.entries)
        self._reset()


# --- the naive sides --------------------------------------------------------------------------------


def statement_tuple(st: Any) -> tuple[Any, ...]:
    return (
        st.opening, st.opening_in_kind, st.cash_donations, st.in_kind_donations, st.transfers_in,
        st.transfers_out, dict(st.disbursements_by_purpose), st.closing, st.closing_in_kind,
    )  # fmt: skip


def to_cents(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Every amount rounded to the cent. SQLite sums DECIMAL columns as binary floats, so its sums can
    carry noise (107865.3299999999981…); the comparison is made to the cent and the noise reported."""

    def q(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: q(x) for k, x in v.items()}
        return v.quantize(CENT) if isinstance(v, Decimal) else v

    return tuple(q(v) for v in values)


def naive_statement(fund: Fund, *, start: dt.date, end: dt.date) -> tuple[Any, ...]:
    """The statement as a loop: every entry of the fund as a model instance, summed in Python."""
    opening = opening_goods = closing = closing_goods = ZERO
    flows: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_purpose: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in LedgerEntry.objects.filter(fund=fund).select_related("purpose"):
        if e.posted_on > end:
            continue
        if e.account in (Account.CASH, Account.ALLOCATED, Account.IN_KIND):
            money = e.account != Account.IN_KIND
            if e.posted_on < start:
                opening += e.amount if money else ZERO
                opening_goods += ZERO if money else e.amount
            closing += e.amount if money else ZERO
            closing_goods += ZERO if money else e.amount
        elif e.posted_on >= start:
            if e.account == Account.DISBURSEMENTS:
                by_purpose[e.purpose.name if e.purpose else "—"] += e.amount
            else:
                flows[e.account] += e.amount
    return (
        opening, opening_goods, -flows[Account.DONATIONS], -flows[Account.IN_KIND_DONATIONS],
        -flows[Account.TRANSFERS_IN], flows[Account.TRANSFERS_OUT], dict(sorted(by_purpose.items())), closing,
        closing_goods,
    )  # fmt: skip


def naive_reconcile() -> int:
    """The same checks as `selectors.reconcile`, in Python over every entry. Returns the problem count."""
    reversals = dict(
        LedgerTransaction.objects.filter(reverses__isnull=False).values_list("pk", "reverses_id")
    )  # reversal → original
    pair_of = {**{pk: original for pk, original in reversals.items()}, **{o: o for o in reversals.values()}}
    per_txn_fund: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    per_fund: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    per_alloc: dict[int, Decimal] = defaultdict(lambda: ZERO)
    debits: dict[int, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    pairs: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = LedgerEntry.objects.values_list("transaction_id", "fund_id", "account", "amount", "allocation_id")
    for txn, fund, account, amount, alloc in rows.iterator(chunk_size=20_000):
        per_txn_fund[txn, fund] += amount
        per_fund[fund, account] += amount
        if account == Account.ALLOCATED and alloc is not None:
            per_alloc[alloc] += amount
        if amount > 0:
            debits[txn] += amount
        if account == Account.DISBURSEMENTS:
            paid[txn] += amount
        if txn in pair_of:
            pairs[pair_of[txn], fund, account] += amount
    problems = sum(1 for s in per_txn_fund.values() if s != 0)
    txn_ids = set(LedgerTransaction.objects.values_list("pk", flat=True).iterator(chunk_size=20_000))
    problems += len(txn_ids - {t for t, _f in per_txn_fund})
    problems += sum(1 for (_f, a), s in per_fund.items() if a in (Account.CASH, Account.IN_KIND) and s < 0)
    problems += sum(1 for s in per_alloc.values() if s < 0)
    for txn, amount in Donation.objects.values_list("transaction_id", "amount").iterator(chunk_size=20_000):
        problems += debits[txn] != amount
    for txn, amount in Disbursement.objects.values_list("transaction_id", "amount").iterator(
        chunk_size=20_000
    ):
        problems += paid[txn] != amount
    problems += sum(1 for s in pairs.values() if s != 0)
    return problems


# --- timing -----------------------------------------------------------------------------------------


def _median_s(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    answer = fn()  # warm-up, and the answer
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), answer


def _once_s(fn: Callable[[], Any], runs: int = 1) -> tuple[float, Any]:
    samples, answer = [], None
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        answer = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), answer


def _verdict(value: float, target: float) -> str:
    return "✓ 达标" if value < target else f"✗ 超过目标 {target:g} 秒"


# --- the run ----------------------------------------------------------------------------------------


def build(scale: float, write: Callable[[str], None], report: dict[str, Any]) -> list[Fund]:
    system = system_user()
    rows = [Row(line=1, code="440000", name="广东省", parent_code="", level=Level.PROVINCE)]
    rows += [
        Row(line=i + 2, code=code, name=name, parent_code="440000", level=Level.CITY)
        for i, (code, name) in enumerate(CITIES)
    ]
    tree_bulk_create(rows, actor=system, validate=False, audit=False, check_scope=False)
    units = list(OrgUnit.objects.order_by("code"))
    purposes = list(Purpose.objects.order_by("code"))
    funds: list[Fund] = []
    for i in range(FUNDS):
        unit = units[i % len(units)]
        restricted = i % 5 == 4
        funds.append(
            services.fund_create(
                actor=system,
                org_unit=unit,
                name=f"基准基金{i + 1:02d}",
                founded_on=FIRST_DAY,
                restricted=restricted,
                allowed_purposes=[purposes[i % len(purposes)]] if restricted else None,
            )
        )
    donors = Donor.objects.bulk_create(
        [Donor(kind="person", name=f"捐赠人{i:04d}", org_unit=units[i % len(units)]) for i in range(DONORS)]
    )
    allowed = {f.pk: [p.pk for p in f.allowed_purposes.all()] or [p.pk for p in purposes] for f in funds}
    builder = LedgerBuilder(funds=funds, purposes=allowed, donors=[d.pk for d in donors], actor=system)
    target = max(FUNDS * 20, round(ENTRIES * scale))
    write(f"生成约 {target:,} 条分录（{FUNDS} 个基金，{FIRST_DAY.year}–{LAST_DAY.year} 年）……")
    started = time.perf_counter()
    last = started
    for i, fund in enumerate(funds):
        builder.fund_history(fund, target * (i + 1) // FUNDS - target * i // FUNDS)
        if time.perf_counter() - last > 30:
            last = time.perf_counter()
            write(f"  …{i + 1}/{FUNDS} 个基金，{builder.counts['entries']:,} 条分录")
    builder.writer.fix_sequences([LedgerTransaction, LedgerEntry, Donation, Allocation, Disbursement])
    build_s = time.perf_counter() - started
    counts = dict(builder.counts)
    report["build"] = {
        "seconds": build_s,
        "entries": LedgerEntry.objects.count(),
        "transactions": LedgerTransaction.objects.count(),
        "donations": Donation.objects.count(),
        "allocations": Allocation.objects.count(),
        "disbursements": Disbursement.objects.count(),
        "by_kind": {k: v for k, v in counts.items() if k != "entries"},
    }
    b = report["build"]
    report["build"]["entries_per_s"] = b["entries"] / build_s
    write(
        f"总账：{b['entries']:,} 条分录，{b['transactions']:,} 笔交易（捐赠 {b['donations']:,}，分配 "
        f"{b['allocations']:,}，支出 {b['disbursements']:,}，转账 {counts.get(TxnKind.TRANSFER, 0):,}，冲销 "
        f"{counts.get(TxnKind.REVERSAL, 0):,}）；批量写入 {build_s:.1f} 秒（{b['entries_per_s']:,.0f} 条/秒）"
    )
    issue_receipts(RECEIPTS, system)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    report["analyze_s"] = time.perf_counter() - started
    return funds


def issue_receipts(n: int, actor: Actor) -> None:
    """Receipts for the first `n` live donations, numbered per branch per year as the service would."""
    donations = list(
        Donation.objects.filter(reversed=False)
        .select_related("fund__org_unit")
        .order_by("received_on", "pk")[:n]
    )
    seq: dict[tuple[int, int], int] = defaultdict(int)
    receipts = []
    for d in donations:
        unit, year = d.fund.org_unit, d.received_on.year
        seq[unit.pk, year] += 1
        receipts.append(
            Receipt(
                org_unit=unit,
                year=year,
                seq=seq[unit.pk, year],
                number=services.receipt_number(unit, year, seq[unit.pk, year]),
                donation=d,
                issued_on=d.received_on,
                issued_by=actor,
            )
        )
    Receipt.objects.bulk_create(receipts, batch_size=1000)
    ReceiptSequence.objects.bulk_create(
        [ReceiptSequence(org_unit_id=u, year=y, last_number=n) for (u, y), n in seq.items()]
    )


def bench_statement(
    funds: list[Fund], options: dict[str, Any], write: Callable[[str], None], report: dict
) -> None:
    start, end = dt.date(STATEMENT_YEAR, 1, 1), dt.date(STATEMENT_YEAR, 12, 31)
    sizes = dict(LedgerEntry.objects.order_by().values_list("fund").annotate(n=Count("id")))
    by_size = sorted(funds, key=lambda f: sizes.get(f.pk, 0))
    cases = {"median": by_size[len(by_size) // 2], "largest": by_size[-1]}
    write("")
    write(f"(a) {STATEMENT_YEAR} 年度基金报表 fund_statement（目标 < {TARGETS_S['statement']:g} 秒）")
    report["statement"] = {}
    for label, fund in cases.items():
        ms_s, st = _median_s(
            lambda fund=fund: selectors.fund_statement(fund, start=start, end=end), options["runs"]
        )
        naive_s, naive = _once_s(
            lambda fund=fund: naive_statement(fund, start=start, end=end), options["naive_runs"]
        )
        exact = statement_tuple(st)
        if to_cents(exact) != naive:
            raise AssertionError(f"statement and naive sum disagree for {fund}: {exact} != {naive}")
        noisy = exact != to_cents(exact)
        report["statement"][label] = {
            "fund": fund.name,
            "entries": sizes.get(fund.pk, 0),
            "seconds": ms_s,
            "naive_s": naive_s,
            "ratio": naive_s / ms_s,
            "reconciled": st.reconciled,
            "float_noise": noisy,
            "closing": str(st.closing),
        }
        write(
            f"  {fund.name}（{sizes.get(fund.pk, 0):,} 条分录，{'中位' if label == 'median' else '最大'}）："
            f"分组 SQL {ms_s * 1000:8.1f} ms  {_verdict(ms_s, TARGETS_S['statement'])}   "
            f"逐条 Python 求和 {naive_s * 1000:8.1f} ms  比值 {naive_s / ms_s:6.1f}×   "
            f"Statement.reconciled：{'是' if st.reconciled else '否'}"
        )
        if noisy:
            write(
                f"    ⚠ 报表金额带浮点误差（如期末 {st.closing}）：SQLite 以二进制浮点对 DECIMAL 列求和，"
                "舍入到分后才与逐条求和一致"
            )
    all_s, _sts = _median_s(
        lambda: [selectors.fund_statement(f, start=start, end=end) for f in funds],
        max(1, options["runs"] // 2),
    )
    report["statement"]["all_funds_s"] = all_s
    write(f"  全部 {len(funds)} 个基金的年度报表：{all_s:.2f} 秒")


def bench_reconcile(options: dict[str, Any], write: Callable[[str], None], report: dict[str, Any]) -> None:
    write("")
    write(f"(b) 全账核对 reconcile（目标 < {TARGETS_S['reconcile']:g} 秒）")
    runs = max(1, min(3, options["runs"]))
    rec_s, rec = _once_s(selectors.reconcile, runs)
    naive_s, naive_problems = _once_s(naive_reconcile, options["naive_runs"])
    with CaptureQueriesContext(connection) as captured:
        selectors.reconcile()
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    report_queries = [{"seconds": float(q["time"]), "sql": q["sql"][:300]} for q in slowest]
    noise = [p for p in rec.problems if _tiny(p)]
    if naive_problems or len(noise) != len(rec.problems):
        raise AssertionError(f"reconcile found {rec.problems[:5]}, the naive pass {naive_problems} problems")
    report["reconcile"] = {
        "seconds": rec_s,
        "runs": runs,
        "transactions": rec.transactions,
        "entries": rec.entries,
        "ok": rec.ok,
        "float_noise_problems": len(noise),
        "queries": len(captured.captured_queries),
        "slowest": report_queries,
        "naive_s": naive_s,
        "ratio": naive_s / rec_s,
    }
    verdict = "通过" if rec.ok else f"报告 {len(noise)} 个问题"
    write(
        f"  分组 SQL {rec_s:6.2f} 秒（{rec.transactions:,} 笔交易，{rec.entries:,} 条分录，{verdict}）  "
        f"{_verdict(rec_s, TARGETS_S['reconcile'])}   逐条 Python {naive_s:6.2f} 秒  比值 {naive_s / rec_s:5.1f}×"
    )
    for q in report_queries:
        write(f"    最慢的查询 {q['seconds']:5.2f} 秒：{q['sql'][:150]}…")
    if noise:
        write(
            f"    ⚠ 这 {len(noise)} 个“问题”都是浮点误差（如 {noise[0]}），逐条 Decimal 求和为零：SQLite 以二进制"
            "浮点对 DECIMAL 列求和，恰好用完的分配或余额会算成 −1e-13 之类的负数"
        )


def _tiny(problem: str) -> bool:
    """A reconciliation problem whose amount is below half a cent: float noise, not a real error."""
    import re
    from decimal import InvalidOperation

    match = re.search(r"(-?[\d.]+(?:E[-+]?\d+)?)\s*$", problem)
    try:
        return match is not None and abs(Decimal(match.group(1))) < CENT / 2
    except InvalidOperation:
        return False


def bench_pdfs(n: int, write: Callable[[str], None], report: dict[str, Any]) -> None:
    write("")
    if importlib.util.find_spec("guanhuai.funds.documents") is None:
        write("(c) 收据 PDF：跳过——guanhuai.funds.documents 尚不存在。")
        report["pdfs"] = {"skipped": "guanhuai.funds.documents missing"}
        return
    from guanhuai.funds import documents

    receipt_pdf = getattr(documents, "receipt_pdf", None)
    if receipt_pdf is None:
        write("(c) 收据 PDF：跳过——guanhuai.funds.documents 没有 receipt_pdf。")
        report["pdfs"] = {"skipped": "receipt_pdf missing"}
        return
    receipts = list(
        Receipt.objects.select_related(
            "donation__donor", "donation__fund__org_unit", "org_unit", "issued_by"
        ).order_by("pk")[:n]
    )
    started = time.perf_counter()
    sizes = []
    for r in receipts:
        pdf = receipt_pdf(r)
        assert pdf[:5] == b"%PDF-", "receipt_pdf did not return a PDF"
        sizes.append(len(pdf))
    seconds = time.perf_counter() - started
    report["pdfs"] = {"count": len(receipts), "seconds": seconds, "avg_bytes": statistics.mean(sizes)}
    write(
        f"(c) 收据 PDF receipt_pdf：{len(receipts):,} 张 {seconds:6.1f} 秒（每张 {seconds / len(receipts) * 1000:.0f} ms，"
        f"平均 {statistics.mean(sizes) / 1024:.0f} KB）  {_verdict(seconds, TARGETS_S['pdfs'])}"
    )


def bench_services(n: int, write: Callable[[str], None], report: dict[str, Any]) -> None:
    """The same kind of rows through the services, one donation at a time, for scale."""
    if n <= 0:
        return
    system = system_user()
    fund = services.fund_create(
        actor=system,
        org_unit=OrgUnit.objects.get(code="440000"),
        name="服务路径样本基金",
        founded_on=FIRST_DAY,
    )
    donor = Donor.objects.order_by("pk").first()
    today = timezone.localdate()
    started = time.perf_counter()
    for i in range(n):
        services.donation_record(
            actor=system, donor=donor, fund=fund, kind="cash", channel="wechat", amount=f"{100 + i}.50",
            received_on=today,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    per_entry = seconds / (2 * n)
    bulk = report["build"]["seconds"] / report["build"]["entries"]
    report["services"] = {
        "donations": n,
        "seconds": seconds,
        "per_entry_ms": per_entry * 1000,
        "bulk_per_entry_ms": bulk * 1000,
        "ratio": per_entry / bulk,
        "million_entries_h": per_entry * ENTRIES / 3600,
    }
    write("")
    write(
        f"对比：经 services.donation_record 逐笔登记 {n} 笔（含收据和审计）{seconds:.1f} 秒，每条分录 "
        f"{per_entry * 1000:.2f} ms，批量写入 {bulk * 1000:.4f} ms，比值 {per_entry / bulk:,.0f}×；"
        f"照此 100 万条分录约需 {per_entry * ENTRIES / 3600:.1f} 小时"
    )


def bench_covering_index(
    funds: list[Fund], options: dict[str, Any], write: Callable[[str], None], report: dict
) -> None:
    """Try the index a statement would like (scratch database only; no migration)."""
    name = "bench_entry_fund_account_date_amount"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE INDEX {name} ON funds_ledgerentry (fund_id, account, posted_on) INCLUDE (amount)"
            )
            cursor.execute("VACUUM ANALYZE funds_ledgerentry")
        else:
            cursor.execute(f"CREATE INDEX {name} ON funds_ledgerentry (fund_id, account, posted_on, amount)")
            cursor.execute("ANALYZE")
    start, end = dt.date(STATEMENT_YEAR, 1, 1), dt.date(STATEMENT_YEAR, 12, 31)
    fund_name = report["statement"]["largest"]["fund"]
    fund = next(f for f in funds if f.name == fund_name)
    ms_s, _st = _median_s(lambda: selectors.fund_statement(fund, start=start, end=end), options["runs"])
    before = report["statement"]["largest"]["seconds"]
    report["covering_index"] = {"seconds": ms_s, "without_s": before, "ratio": before / ms_s}
    write(
        f"  加覆盖索引后（最大基金）：{ms_s * 1000:.1f} ms（原 {before * 1000:.1f} ms，{before / ms_s:.2f}×）"
    )


def run(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    scale = options["scale"]
    report: dict[str, Any] = {"database": connection.vendor, "scale": scale, "runs": options["runs"]}
    write(f"数据库：{connection.vendor}    规模：{scale:g}")
    funds = build(scale, write, report)
    bench_statement(funds, options, write, report)
    bench_reconcile(options, write, report)
    bench_pdfs(min(options["receipts"], Receipt.objects.count()), write, report)
    if options.get("covering_index"):
        write("")
        write("覆盖索引试验（仅在临时库中）：")
        bench_covering_index(funds, options, write, report)
    bench_services(options.get("service_sample", 0), write, report)
    bench_post_many(options.get("bulk_postings", 0), write, report, actor=system_user())
    if options.get("json"):
        with open(options["json"], "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=2, default=str)
    return report
