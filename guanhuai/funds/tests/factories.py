from __future__ import annotations

import datetime as dt
import importlib

from guanhuai.core.testing import xlsx_bytes
from guanhuai.funds import imports, services
from guanhuai.funds.models import Purpose


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def fund(actor, unit, *, name="生育关怀基金", restricted=False, purposes=(), founded_on=dt.date(2011, 10, 1)):
    return services.fund_create(
        actor=actor,
        org_unit=unit,
        name=name,
        founded_on=founded_on,
        restricted=restricted,
        allowed_purposes=[purpose(p) for p in purposes],
    )


def donor(actor, unit, *, name="爱心企业", kind="organisation", credit_code="", public_name="named"):
    return services.donor_create(
        actor=actor, org_unit=unit, kind=kind, name=name, credit_code=credit_code, public_name=public_name
    )


def give(actor, fund_, donor_, amount, *, on=dt.date(2025, 3, 1), **kw):
    return services.donation_record(
        actor=actor,
        donor=donor_,
        fund=fund_,
        kind="cash",
        channel="bank_transfer",
        amount=amount,
        received_on=on,
        **kw,
    )[0]


def restore_purposes() -> None:
    """The purposes a data migration writes: a flush after an earlier transactional test empties them,
    and post_migrate does not bring them back (the concurrency tests commit for real)."""
    migration = importlib.import_module("guanhuai.funds.migrations.0002_purposes")
    for code, name, status in migration.PURPOSES:
        Purpose.objects.get_or_create(code=code, defaults={"name": name, "requires_status": status})


# --- the donation import (Excel): a company's cash gift, a person's restricted gift, goods -----------------

COMPANY = [
    "韶关某实业有限公司",
    "单位",
    "91110000600037341L",
    "公开",
    "生育关怀基金",
    "",
    "资金",
    "50000.00",
] + [
    "银行转账",
    "",
    "",
    "",
    "2025-03-01",
]
PERSON = ["张三", "个人", "", "爱心人士", "失独帮扶专项", "bereaved", "资金", "1000", "微信", "", "", ""] + [
    dt.datetime(2025, 3, 2)  # noqa: DTZ001 - an Excel date cell is a naive date-time, as a clerk's file has it
]
GOODS = ["某某超市", "单位", "", "公开", "生育关怀基金", "", "物资", "3600", "", "大米", "120袋"] + [
    "市场价 30元/袋",
    "2025/3/5",
]


def donations_xlsx(rows, headers=imports.HEADERS) -> bytes:
    """An import file: the template's headers, then `rows`."""
    return xlsx_bytes(rows, headers)


def allocate(
    actor, fund_, amount, *, name="青春健康进校园", purpose_code="general", target_ref="project:1", **kw
):
    """An allocation of `amount` out of `fund_` to a project, through the service (so the fund must hold
    the money). Returns the allocation."""
    return services.allocation_create(
        actor=actor,
        fund=fund_,
        purpose=purpose(purpose_code),
        target_kind="project",
        target_ref=target_ref,
        name=name,
        amount=amount,
        **kw,
    )[0]
