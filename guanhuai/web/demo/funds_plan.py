"""What the demo's Birth Care Fund holds, drawn as plain data before anything is written.

The figures follow the Guangdong provincial association's own account (DOMAIN.md): a provincial
生育关怀基金 founded in October 2011 that raised 38.74 million yuan in cash and kind, and a partner
association's special rounds for 400 bereaved families, 3,000 yuan each, in two rounds (2.4 million).

`funds_plan()` is pure: the same `small`, `today` and seed always give the same plan, and the total raised
(cash and in-kind gifts that are not reversed) is exactly `RAISED` in both sizes. The last province
enterprise gift absorbs the rounding, so it is the only amount with odd cents. `guanhuai.web.demo.funds`
writes the plan through the funds services.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from guanhuai.funds.states import Channel, DonationKind, DonorKind, PublicName, Schedule

SEED = 2011
RAISED = Decimal("38740000.00")
FOUNDED_ON = dt.date(2011, 10, 18)
CITY_FOUNDED_ON = dt.date(2013, 5, 18)
ROUND_EACH = Decimal("3000.00")
ROUND_FAMILIES = 400
# `--small` (tests) has a handful of bereaved families and may not add any (its registry counts are
# asserted exactly), so its rounds pay at most this many.
SMALL_ROUND_FAMILIES = 4
PARTNER_GIFT = Decimal("1200000.00")

PROVINCE, BEREAVED, CITY = "province", "bereaved", "city"  # the three funds of the family


@dataclass(frozen=True)
class FundSpec:
    key: str
    name: str
    unit: str  # division code of the owning branch
    founded_on: dt.date
    purpose: str
    restricted: bool = False
    purposes: tuple[str, ...] = ()
    parent: str = ""


FUNDS = (
    FundSpec(
        PROVINCE,
        "广东省生育关怀基金",
        "440000",
        FOUNDED_ON,
        "募集社会资金和物资，帮扶计生特殊家庭和困难家庭，支持青春健康、计生三结合等协会项目。",
    ),
    FundSpec(
        BEREAVED,
        "失独家庭帮扶专项",
        "440000",
        dt.date(2014, 3, 1),
        "专项用于失独家庭帮扶（限定用途）。",
        restricted=True,
        purposes=("bereaved",),
        parent=PROVINCE,
    ),
    FundSpec(
        CITY,
        "韶关市生育关怀基金",
        "440200",
        CITY_FOUNDED_ON,
        "韶关市计生协设立的生育关怀子基金，接受本市捐赠和省基金划拨。",
        parent=PROVINCE,
    ),
)


@dataclass(frozen=True)
class DonorSpec:
    key: str
    kind: str
    name: str
    unit: str  # where the donor is registered: "440000" or "440200"
    public_name: str = PublicName.NAMED
    credit_code: str = ""
    contact_name: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class PledgeSpec:
    key: str
    donor: str
    fund: str
    amount: Decimal  # per instalment
    schedule: str
    starts_on: dt.date
    ends_on: dt.date | None
    note: str


@dataclass(frozen=True)
class Gift:
    donor: str
    fund: str
    kind: str
    amount: Decimal
    on: dt.date
    channel: str = ""
    purpose: str = ""
    items: str = ""
    quantity: str = ""
    valuation_basis: str = ""
    pledge: str = ""
    reverse_reason: str = ""  # recorded, then reversed: not part of the money raised
    receipt_action: str = ""  # "reissue" or "void"
    receipt_reason: str = ""


@dataclass(frozen=True)
class Payment:
    payee: str
    amount: Decimal
    on: dt.date


@dataclass(frozen=True)
class AllocationSpec:
    key: str
    fund: str
    purpose: str
    name: str
    target_ref: str
    amount: Decimal
    on: dt.date
    payments: tuple[Payment, ...]
    close_on: dt.date | None = None  # close and release what is left


@dataclass(frozen=True)
class TransferSpec:
    source: str
    target: str
    amount: Decimal
    on: dt.date
    note: str


@dataclass(frozen=True)
class RoundSpec:
    key: str
    name: str
    paid_on: dt.date


@dataclass
class Plan:
    small: bool
    today: dt.date
    funds: tuple[FundSpec, ...] = FUNDS
    donors: list[DonorSpec] = field(default_factory=list)
    pledges: list[PledgeSpec] = field(default_factory=list)
    gifts: list[Gift] = field(default_factory=list)
    allocations: list[AllocationSpec] = field(default_factory=list)
    transfers: list[TransferSpec] = field(default_factory=list)
    rounds: list[RoundSpec] = field(default_factory=list)
    round_families: int = ROUND_FAMILIES
    round_each: Decimal = ROUND_EACH
    partner: str = "partner"
    closed_period: str = ""  # YYYY-MM, closed on the provincial fund once everything is posted

    @property
    def raised(self) -> Decimal:
        return sum((g.amount for g in self.gifts if not g.reverse_reason), Decimal("0.00"))

    @property
    def rounds_total(self) -> Decimal:
        return self.round_each * self.round_families * len(self.rounds)


# --- identifiers --------------------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(first8: str) -> str:
    """GB 11714 check character of a 9-character organisation code (characters 9–17 of a credit code)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(*, authority_type: str, division: str, org_body: str) -> str:
    """A unified social credit code (GB 32100-2015): registration authority and type (e.g. "91" an
    enterprise, "93" a farmers' co-operative), the 6-digit division, the 9-character organisation code,
    and the check character: 31 − (Σ value × weight mod 31), where 31 becomes 0."""
    body = f"{authority_type}{division}{org_body}{org_code_check(org_body)}"
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


# --- donors -------------------------------------------------------------------------------------------

# key, name, authority+type, division, registered at, public name, in-kind goods they give
ENTERPRISES = (
    ("e_pharma", "广州穗康医药有限公司", "91", "440100", "440000", PublicName.NAMED, ""),
    ("e_tech", "深圳市鹏程电子科技有限公司", "91", "440300", "440000", PublicName.NAMED, ""),
    ("e_ceramic", "佛山市禅城陶瓷实业有限公司", "91", "440600", "440000", PublicName.NAMED, ""),
    ("e_grain", "清远市北江粮油贸易有限公司", "91", "441800", "440000", PublicName.NAMED, "rice oil"),
    ("e_textile", "广东南粤纺织有限公司", "91", "440100", "440000", PublicName.NAMED, "quilt"),
    ("e_food", "珠海市海湾食品有限公司", "91", "440400", "440000", PublicName.NAMED, "mooncake milk"),
    ("e_appliance", "东莞市莞华电器有限公司", "91", "441900", "440000", PublicName.ANONYMOUS, "fan"),
    ("e_tea", "梅州客都茶业有限公司", "91", "441400", "440000", PublicName.NAMED, "tea"),
    ("e_insurance", "中山市香山保险代理有限公司", "91", "442000", "440000", PublicName.ANONYMOUS, ""),
    ("e_tourism", "韶关丹霞山旅游发展有限公司", "91", "440200", "440200", PublicName.NAMED, ""),
    ("e_building", "广东粤北建设工程有限公司", "91", "440200", "440200", PublicName.NAMED, ""),
    ("c_mushroom", "仁化县丹霞香菇专业合作社", "93", "440224", "440200", PublicName.NAMED, "mushroom"),
)
PROVINCE_ENTERPRISES = tuple(e[0] for e in ENTERPRISES if e[4] == "440000")
CITY_ENTERPRISES = tuple(e[0] for e in ENTERPRISES if e[4] == "440200")

# item, unit, spec, unit value, valuation basis
GOODS = {
    "rice": ("大米", "袋", "10公斤装", Decimal("65.00"), "同类商品市场价（当月粮油批发市场报价）"),
    "oil": ("食用花生油", "桶", "5升装", Decimal("89.00"), "捐赠方提供的出厂价发票"),
    "quilt": ("棉被", "床", "1.5米", Decimal("168.00"), "捐赠方提供的采购发票价"),
    "mooncake": ("月饼", "盒", "4枚装", Decimal("98.00"), "捐赠方出具的价格证明"),
    "milk": ("纯牛奶", "箱", "24盒装", Decimal("56.00"), "同类商品市场价"),
    "fan": ("电风扇", "台", "落地扇", Decimal("139.00"), "同型号商品电商平台售价"),
    "tea": ("单丛茶", "盒", "250克装", Decimal("120.00"), "捐赠方出具的价格证明"),
    "mushroom": ("干香菇", "箱", "5公斤装", Decimal("210.00"), "合作社当季收购价"),
}

PARTNER = DonorSpec(
    "partner",
    DonorKind.ORGANISATION,
    "香港粤北同胞联谊会",
    "440000",
    contact_name="联谊会秘书处",
    address="香港九龙弥敦道（演示地址）",
)
ROUNDS = (
    RoundSpec("demo:round:1", "香港粤北同胞联谊会失独家庭帮扶（第一轮）", dt.date(2024, 9, 20)),
    RoundSpec("demo:round:2", "香港粤北同胞联谊会失独家庭帮扶（第二轮）", dt.date(2025, 9, 19)),
)
PARTNER_GIFTS = (dt.date(2024, 8, 16), dt.date(2025, 8, 15))

PHONE_PREFIXES = ("135", "138", "139", "159", "186", "189", "133", "177")
LUCKY = tuple(
    Decimal(a)
    for a in "100 200 200 300 500 500 520 600 666 800 888 1000 1000 1314 2000 3000 5000 8888 10000".split()
)
SMALL_CHANGE = tuple(Decimal(a) for a in "20.00 50.00 66.66 88.88 99.00 128.00 168.00 200.00".split())
# Months a monthly donor missed (received < promised).
MISSED = ("2022-04", "2022-05", "2024-08", "2025-07")


def _date(rng: random.Random, lo: dt.date, hi: dt.date, today: dt.date) -> dt.date:
    hi = min(hi, today)
    if hi <= lo:
        return min(lo, today)
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def _people(rng: random.Random, n: int, small: bool) -> list[DonorSpec]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    taken: set[str] = set()
    people = []
    for i in range(n):
        name = fake.name()
        while name in taken:
            name = fake.name()
        taken.add(name)
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}" if rng.random() < 0.8 else ""
        people.append(
            DonorSpec(
                f"p{i:03d}",
                DonorKind.PERSON,
                name,
                "440200" if i % 4 == 3 else "440000",
                # Both preferences: some donors want their name disclosed, the others appear as 爱心人士.
                public_name=PublicName.NAMED if i % 2 == 0 else PublicName.ANONYMOUS,
                phone=phone,
            )
        )
    return people


def _donors(rng: random.Random, small: bool) -> list[DonorSpec]:
    donors = []
    for key, name, auth, division, unit, public, _goods in ENTERPRISES:
        body_rng = random.Random(f"{SEED}:{key}")
        org_body = "".join(body_rng.choice("0123456789") for _ in range(8))
        donors.append(
            DonorSpec(
                key,
                DonorKind.ORGANISATION,
                name,
                unit,
                public_name=public,
                credit_code=credit_code(authority_type=auth, division=division, org_body=org_body),
                contact_name="办公室",
            )
        )
    donors.append(PARTNER)
    donors.extend(_people(rng, 8 if small else 120, small))
    return donors


def _months(start: dt.date, today: dt.date, day: int) -> list[dt.date]:
    out: list[dt.date] = []
    y, m = start.year, start.month
    while True:
        d = dt.date(y, m, day)
        if d > today:
            return out
        out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _cash_channel(rng: random.Random, on: dt.date) -> str:
    if on.year < 2015:  # before mobile payment was common
        return rng.choice((Channel.BANK_TRANSFER, Channel.BANK_TRANSFER, Channel.CASH))
    return rng.choices(
        (Channel.WECHAT, Channel.ALIPAY, Channel.BANK_TRANSFER, Channel.CASH), (40, 25, 25, 10)
    )[0]


def funds_plan(*, small: bool, today: dt.date, seed: int = SEED) -> Plan:
    rng = random.Random(f"{seed}:funds:{'small' if small else 'full'}")
    plan = Plan(small=small, today=today)
    plan.donors = _donors(rng, small)
    people = [d for d in plan.donors if d.kind == DonorKind.PERSON]
    years = range(2012, today.year + 1)
    every = 5 if small else 1  # the small plan keeps one year in five
    gifts = plan.gifts

    # The founding ceremony, 2011-10-18: the first enterprise gifts.
    launch = (1_000_000, 800_000, 600_000, 500_000, 500_000, 300_000)
    for key, launch_amount in zip(PROVINCE_ENTERPRISES[: len(launch)], launch, strict=True):
        gifts.append(
            Gift(key, PROVINCE, DonationKind.CASH, Decimal(launch_amount), FOUNDED_ON, Channel.BANK_TRANSFER)
        )

    # Pledges: the partner's two rounds, a yearly enterprise pledge, and one person's monthly gift.
    monthly_from = dt.date(2025, 6, 1) if small else dt.date(2020, 1, 1)
    plan.pledges = [
        PledgeSpec(
            "partner_rounds",
            "partner",
            BEREAVED,
            PARTNER_GIFT * 2,
            Schedule.ONCE,
            dt.date(2024, 8, 1),
            dt.date(2025, 12, 31),
            "资助400户失独家庭，每户每轮3000元，分两轮发放",
        ),
        PledgeSpec(
            "ceramic_yearly",
            "e_ceramic",
            PROVINCE,
            Decimal("300000.00"),
            Schedule.YEARLY,
            dt.date(2024, 1, 1),
            dt.date(2026, 12, 31),
            "2024—2026年每年捐赠30万元",
        ),
        PledgeSpec(
            "monthly",
            people[0].key,
            PROVINCE,
            Decimal("1000.00"),
            Schedule.MONTHLY,
            monthly_from,
            None,
            "每月8日银行转账",
        ),
    ]
    for on in PARTNER_GIFTS:
        gifts.append(
            Gift(
                "partner",
                BEREAVED,
                DonationKind.CASH,
                PARTNER_GIFT,
                on,
                Channel.BANK_TRANSFER,
                purpose="bereaved",
                pledge="partner_rounds",
            )
        )
    for on in (dt.date(2024, 3, 12), dt.date(2025, 3, 14)):  # 2026's instalment is still outstanding
        gifts.append(
            Gift(
                "e_ceramic",
                PROVINCE,
                DonationKind.CASH,
                Decimal("300000.00"),
                on,
                Channel.BANK_TRANSFER,
                pledge="ceramic_yearly",
            )
        )
    for on in _months(monthly_from, today, 8):
        if f"{on:%Y-%m}" not in MISSED:
            gifts.append(
                Gift(
                    people[0].key,
                    PROVINCE,
                    DonationKind.CASH,
                    Decimal("1000.00"),
                    on,
                    Channel.BANK_TRANSFER,
                    pledge="monthly",
                )
            )

    # In kind: goods before the Spring Festival and the Mid-Autumn Festival.
    givers = [(e[0], g) for e in ENTERPRISES for g in e[6].split()]
    for year in years[::every]:
        for lo, hi in (
            (dt.date(year, 1, 5), dt.date(year, 2, 5)),
            (dt.date(year, 9, 1), dt.date(year, 9, 25)),
        ):
            key, good = rng.choice(givers)
            item, unit, spec, value, basis = GOODS[good]
            qty = rng.randrange(300, 1500, 10)
            fund = CITY if key in CITY_ENTERPRISES and year >= CITY_FOUNDED_ON.year + 1 else PROVINCE
            on = _date(rng, lo, hi, today - dt.timedelta(days=1))
            gifts.append(
                Gift(
                    key,
                    fund,
                    DonationKind.IN_KIND,
                    value * qty,
                    on,
                    items=f"{item}（{spec}）",
                    quantity=f"{qty}{unit}",
                    valuation_basis=f"{basis}，每{unit}{value}元",
                )
            )

    # City enterprises give to the 韶关 fund once it exists.
    for year in years[::every]:
        for key in CITY_ENTERPRISES:
            if year <= CITY_FOUNDED_ON.year or rng.random() < 0.3:
                continue
            amount = Decimal(rng.randrange(20, 120)) * 1000
            on = _date(rng, dt.date(year, 1, 1), dt.date(year, 12, 31), today - dt.timedelta(days=1))
            gifts.append(Gift(key, CITY, DonationKind.CASH, amount, on, Channel.BANK_TRANSFER))

    # Individuals: small gifts, by WeChat and Alipay once those were common.
    for person in people[1:]:
        for _ in range(rng.randint(1, 2 if small else 6)):
            on = _date(rng, dt.date(2012, 1, 1), today - dt.timedelta(days=1), today)
            channel = _cash_channel(rng, on)
            amount = rng.choice(SMALL_CHANGE if channel in (Channel.WECHAT, Channel.ALIPAY) else LUCKY)
            fund = CITY if person.unit == "440200" and on >= CITY_FOUNDED_ON else PROVINCE
            gifts.append(Gift(person.key, fund, DonationKind.CASH, amount, on, channel))

    # Enterprise gifts designated to the bereaved families' fund.
    for year in range(2015, today.year + 1, every * 2):
        key = rng.choice(PROVINCE_ENTERPRISES)
        on = _date(rng, dt.date(year, 3, 1), dt.date(year, 6, 30), today - dt.timedelta(days=1))
        amount = Decimal(rng.randrange(50, 200)) * 1000
        gifts.append(
            Gift(key, BEREAVED, DonationKind.CASH, amount, on, Channel.BANK_TRANSFER, purpose="bereaved")
        )

    # The province enterprises' yearly gifts make up the rest, so the total is exactly RAISED.
    slots = []
    for year in years[::every]:
        for key in PROVINCE_ENTERPRISES:
            if rng.random() < 0.75:
                on = _date(rng, dt.date(year, 1, 1), dt.date(year, 12, 31), today - dt.timedelta(days=1))
                slots.append((key, on, rng.uniform(0.5, 2.0)))
    slots.sort(key=lambda s: s[1])
    rest = RAISED - plan.raised
    thousands, cents = divmod(rest, 1000)
    weights = [w for _k, _on, w in slots]
    shares = [thousands * Decimal(w / sum(weights)).quantize(Decimal("0.000001")) for w in weights]
    whole = [int(s) for s in shares]
    # Largest remainder: the whole thousands add up exactly; the odd cents go to the last gift.
    by_fraction = sorted(range(len(slots)), key=lambda i: shares[i] - whole[i], reverse=True)
    for i in by_fraction[: int(thousands) - sum(whole)]:
        whole[i] += 1
    for i, ((key, on, _w), n) in enumerate(zip(slots, whole, strict=True)):
        amount = Decimal(n) * 1000 + (cents if i == len(slots) - 1 else 0)
        gifts.append(Gift(key, PROVINCE, DonationKind.CASH, amount, on, Channel.BANK_TRANSFER))

    # Mistakes, corrected the way the rules say: a reversal (its receipt voided), a re-issue, a void.
    province_cash = [
        i
        for i, g in enumerate(gifts)
        if g.fund == PROVINCE and g.kind == DonationKind.CASH and g.donor in PROVINCE_ENTERPRISES
    ]
    dup = gifts[province_cash[len(province_cash) // 2]]
    gifts.append(
        Gift(
            dup.donor,
            PROVINCE,
            DonationKind.CASH,
            dup.amount,
            dup.on,
            dup.channel,
            reverse_reason="重复登记：同一笔银行到账登记了两次",
        )
    )
    refund_on = _date(rng, dt.date(2023, 1, 1), dt.date(2023, 12, 31), today)
    gifts.append(
        Gift(
            people[1].key,
            PROVINCE,
            DonationKind.CASH,
            Decimal("5000.00"),
            refund_on,
            Channel.BANK_TRANSFER,
            reverse_reason="捐赠人误转账，款项已原路退回",
        )
    )
    lost = province_cash[len(province_cash) // 3]
    gifts[lost] = _with_receipt(gifts[lost], "reissue", "捐赠人遗失原收据，申请补开")
    anonymous = next(
        i
        for i, g in enumerate(gifts)
        if g.donor in {p.key for p in people if p.public_name == PublicName.ANONYMOUS} and not g.pledge
    )
    gifts[anonymous] = _with_receipt(gifts[anonymous], "void", "捐赠人匿名捐赠，表示不需要收据，收回作废")
    gifts.sort(key=lambda g: (g.on, g.fund, g.donor))

    plan.allocations = _allocations()
    plan.transfers = [
        TransferSpec(PROVINCE, CITY, Decimal("300000.00"), dt.date(2016, 3, 1), "支持韶关市开展生育关怀活动"),
        TransferSpec(PROVINCE, CITY, Decimal("200000.00"), dt.date(2021, 3, 1), "支持韶关市暖心家园建设"),
    ]
    plan.rounds = list(ROUNDS)
    plan.round_families = SMALL_ROUND_FAMILIES if small else ROUND_FAMILIES
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    plan.closed_period = f"{last_month:%Y-%m}"
    return plan


def _with_receipt(gift: Gift, action: str, reason: str) -> Gift:
    from dataclasses import replace

    return replace(gift, receipt_action=action, receipt_reason=reason)


# The 18 cities the 2015 Youth Health projects covered, and where they ran.
YOUTH_CITIES = (
    "韶关市 河源市 梅州市 惠州市 汕尾市 东莞市 中山市 江门市 阳江市 "
    "湛江市 茂名市 肇庆市 清远市 潮州市 揭阳市 云浮市 汕头市 佛山市"
).split()
YOUTH_SITES = ("学校", "社区", "企业", "军营")
THREE_COMBINATIONS = (
    ("仁化县计生协", "香菇种植"),
    ("始兴县计生协", "蔬菜种植"),
    ("南雄市计生协", "烤烟种植"),
    ("乐昌市计生协", "黄金柰李种植"),
    ("翁源县计生协", "兰花种植"),
    ("蕉岭县计生协", "金柚种植"),
    ("连州市计生协", "水晶梨种植"),
    ("英德市计生协", "红茶加工"),
    ("平远县计生协", "脐橙种植"),
    ("阳山县计生协", "淮山种植"),
)


def _allocations() -> list[AllocationSpec]:
    youth = tuple(
        Payment(
            f"{YOUTH_CITIES[i % 18]}计生协·{YOUTH_SITES[i % 4]}青春健康项目",
            Decimal("20000.00"),
            dt.date(2015, 4 + i % 8, 10 + i % 15),
        )
        for i in range(40)
    )
    out = [
        AllocationSpec(
            "youth_2015",
            PROVINCE,
            "youth_health",
            "2015年省级青春健康项目（40个，覆盖18个市）",
            "project:youth-health-2015",
            Decimal("800000.00"),
            dt.date(2015, 3, 10),
            youth,
            close_on=dt.date(2015, 12, 31),
        )
    ]
    for year, budget in ((2013, 500_000), (2014, 600_000), (2015, 700_000)):
        n = 3 + year - 2013  # 3, 4, 5 projects
        payments = tuple(
            Payment(
                f"{THREE_COMBINATIONS[(year + i) % len(THREE_COMBINATIONS)][0]}·"
                f"{THREE_COMBINATIONS[(year + i) % len(THREE_COMBINATIONS)][1]}三结合项目",
                Decimal(budget // (n + 1) // 1000 * 1000),
                dt.date(year, 5 + i, 15),
            )
            for i in range(n)
        )
        out.append(
            AllocationSpec(
                f"three_{year}",
                PROVINCE,
                "three_combinations",
                f"{year}年计生三结合帮扶项目",
                f"project:three-combinations-{year}",
                Decimal(budget),
                dt.date(year, 4, 1),
                payments,
                close_on=dt.date(year, 12, 31),
            )
        )
    out.append(
        AllocationSpec(
            "youth_2025",
            PROVINCE,
            "youth_health",
            "2025年青春健康进校园",
            "project:youth-health-2025",
            Decimal("300000.00"),
            dt.date(2025, 3, 1),
            tuple(
                Payment(f"{c}计生协·学校青春健康项目", Decimal("30000.00"), dt.date(2025, 4 + i, 20))
                for i, c in enumerate(("韶关市", "梅州市", "清远市", "河源市", "湛江市", "茂名市"))
            ),
        )
    )
    out.append(
        AllocationSpec(
            "warm_home_2023",
            CITY,
            "warm_home",
            "韶关市暖心家园建设（2023年）",
            "project:warm-home-shaoguan-2023",
            Decimal("200000.00"),
            dt.date(2023, 4, 1),
            tuple(
                Payment(f"{c}计生协·暖心家园", Decimal("45000.00"), dt.date(2023, 5 + i, 18))
                for i, c in enumerate(("仁化县", "乐昌市", "南雄市", "始兴县"))
            ),
        )
    )
    return out
