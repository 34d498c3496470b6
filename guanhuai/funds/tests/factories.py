from __future__ import annotations

import datetime as dt

from guanhuai.funds import services
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
