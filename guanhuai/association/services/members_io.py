"""Excel export of members (the import, with its staging and preview, is `members_import.py`)."""

from __future__ import annotations

from typing import Any

from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.states import MemberKind, MemberStatus
from guanhuai.audit.services import log
from guanhuai.core.xlsx_stream import XlsxStream
from guanhuai.orgs.models import OrgUnit

EXPORT_HEADERS = ["会员证号", "姓名", "会员类型", "所属协会", "状态", "入会日期", "终止日期"]


def members_export(*, actor: Actor, out: Any, unit: OrgUnit | None = None, status: str = "") -> int:
    """Write the actor's scoped member list (below `unit`, of one status if given) to `out` as .xlsx,
    streamed; no ID numbers. Who exported what, and how many rows, goes to the audit log."""
    from guanhuai.association.selectors import member_list

    rows = member_list(actor=actor, unit=unit, status=status)
    labels_kind = dict(MemberKind.choices)
    labels_status = dict(MemberStatus.choices)
    count = 0
    with XlsxStream(out, "会员", widths=[20, 12, 10, 20, 10, 12, 12]) as sheet:
        sheet.append(EXPORT_HEADERS)
        for m in rows.values_list(
            "card_no", "name", "kind", "org_unit__name", "status", "joined_on", "ended_on"
        ).iterator(chunk_size=5000):
            sheet.append(
                [
                    m[0],
                    m[1],
                    str(labels_kind.get(m[2], m[2])),
                    m[3],
                    str(labels_status.get(m[4], m[4])),
                    m[5],
                    m[6],
                ]
            )
            count += 1
    log(
        unit or signed_in(actor),
        "association.members.exported",
        actor=actor,
        org_unit=unit,
        data={"unit": unit.code if unit else "", "status": status, "rows": count},
    )
    return count
