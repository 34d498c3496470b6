"""Programme definitions as data: create (blank or from a national template), update, rule versions and
amount rules. All need `programmes.manage_programmes` on the programme's owning branch.

History is never rewritten:
- a rule is saved as the next RuleVersion (an unchanged rule is refused, so versions mean changes);
- an amount rule is never edited in place; it is ended (`valid_to`) and a new one added. Neither may
  reach back into months for which a payment cycle was already generated: those amounts were used, and a
  correction for them is a top-up or arrears entitlement (services/cycles.py), not a new rate.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes import rules
from guanhuai.programmes.catalogue import TEMPLATES
from guanhuai.programmes.models import AmountRule, Cycle, Programme, RuleVersion
from guanhuai.programmes.periods import month_end, month_label
from guanhuai.programmes.permissions import MANAGE_PROGRAMMES
from guanhuai.programmes.states import (
    Benefit,
    FundingSource,
    NoticeNames,
    ObjectionIdentity,
    Period,
    ProRata,
    Step,
    Target,
)

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
# A phone line as printed on a notice: digits, an area code with a hyphen, an extension (转), or two numbers.
_PHONE = re.compile(r"^[0-9+()（） \-－、,，转]{5,40}$")

# Fields a programme is created with. `template` is set only by programme_from_template.
CREATE_FIELDS = (
    "code",
    "name",
    "legal_basis",
    "description",
    "target",
    "benefit",
    "period",
    "pro_rata",
    "counts_from",
    "age_limit_months",
    "funding_source",
    "allocation",
    "budget_line",
    "steps",
    "notice_days",
    "notice_names",
    "objection_phone",
    "approvals_required",
    "objection_identity",
)
# Fields that change how much is paid to whom: frozen once a cycle has been generated.
PAYMENT_FIELDS = ("target", "period", "pro_rata", "counts_from", "age_limit_months")
UPDATE_FIELDS = tuple(f for f in CREATE_FIELDS if f != "code") + ("active",)


def _clean_fields(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Check and normalise programme fields; each problem has its own message and code."""
    unknown = set(values) - set(CREATE_FIELDS if creating else UPDATE_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能设置字段：%(fields)s。") % {"fields": ", ".join(sorted(unknown))}, code="bad_field"
        )
    out = dict(values)
    for name in ("name", "legal_basis", "description", "budget_line", "code"):
        if name in out:
            out[name] = (out[name] or "").strip()
    if creating or "name" in out:
        if not out.get("name"):
            raise ValidationError(_("项目名称不能为空。"), code="name_required")
    if creating or "legal_basis" in out:
        if not out.get("legal_basis"):
            raise ValidationError(_("请填写政策依据。"), code="legal_basis_required")
    if "code" in out and not _CODE.match(out["code"]):
        raise ValidationError(
            _("项目代码“%(code)s”不合规：2–40位小写字母、数字、下划线或短横线，以字母或数字开头。")
            % {"code": out["code"]},
            code="bad_code",
        )
    if "objection_phone" in out:
        phone = (out["objection_phone"] or "").strip()
        if phone and not (_PHONE.match(phone) and sum(ch.isdigit() for ch in phone) >= 5):
            raise ValidationError(
                _("异议受理电话“%(v)s”不像电话号码：请填数字，可带区号和短横线，如 0751-6381234。")
                % {"v": phone},
                code="bad_objection_phone",
            )
        out["objection_phone"] = phone
    for name, choices in (
        ("notice_names", NoticeNames),
        ("objection_identity", ObjectionIdentity),
        ("target", Target),
        ("benefit", Benefit),
        ("period", Period),
        ("pro_rata", ProRata),
        ("funding_source", FundingSource),
    ):
        if name in out and out[name] not in choices.values:
            raise ValidationError(
                _("“%(value)s”不是可用的%(field)s。") % {"value": out[name], "field": _field_label(name)},
                code=f"bad_{name}",
            )
    if "steps" in out:
        steps = list(out["steps"] or [])
        if not steps or any(s not in Step.values for s in steps) or len(set(steps)) != len(steps):
            raise ValidationError(
                _("审核环节应为 %(steps)s 中不重复的若干项，且至少一项。")
                % {"steps": "、".join(Step.values)},
                code="bad_steps",
            )
        out["steps"] = [s for s in Step.values if s in steps]  # always in the legal order
    for name, low in (("notice_days", 1), ("approvals_required", 1), ("age_limit_months", 1)):
        if out.get(name) is not None:
            try:
                out[name] = int(out[name])
            except (TypeError, ValueError):
                raise ValidationError(
                    _("%(field)s应为整数。") % {"field": _field_label(name)}, code=f"bad_{name}"
                )
            if out[name] < low:
                raise ValidationError(
                    _("%(field)s至少为%(low)d。") % {"field": _field_label(name), "low": low},
                    code=f"bad_{name}",
                )
    return out


def _field_label(name: str) -> str:
    return str(getattr(Programme._meta.get_field(name), "verbose_name", name))


def _check_funding(programme: Programme) -> None:
    if programme.funding_source == FundingSource.FUND and programme.allocation_id is None:
        raise ValidationError(_("资金来源为基金时，请选择资金分配。"), code="allocation_required")
    if programme.funding_source == FundingSource.BUDGET and not programme.budget_line:
        raise ValidationError(_("资金来源为财政预算时，请填写预算科目。"), code="budget_line_required")


def _require_manage(actor: Actor, programme: Programme) -> None:
    """May the actor change this programme? One who cannot even see it gets the same 404 as for a
    missing one; one who sees it (a county user, a province programme) is told they lack the right."""
    if scoping.can(actor, MANAGE_PROGRAMMES, programme.org_unit):
        return
    from guanhuai.programmes.selectors.programmes import visible_q

    if not Programme.objects.filter(visible_q(actor), pk=programme.pk).exists():
        raise NotFound(_("未找到该扶助项目，或您无权访问。"))
    raise PermissionDenied(
        _("您没有修改“%(name)s”的权限（需要在“%(unit)s”有设立扶助项目的权限）。")
        % {"name": programme.name, "unit": programme.org_unit.name}
    )


def _check_allocation(actor: Actor, allocation: Any) -> None:
    """A programme is paid only from an allocation of a fund the actor can see (funds.view_funds)."""
    if allocation is not None and not scoping.can(actor, "funds.view_funds", allocation.fund.org_unit):
        raise NotFound(_("未找到该资金分配，或您无权使用。"))


def _last_generated_month(programme: Programme) -> int | None:
    return (
        Cycle.objects.unscoped("the programme's last generated month, in every branch")
        .filter(programme=programme)
        .aggregate(m=Max("last_month"))["m"]
    )


def _save_new(programme: Programme) -> Programme:
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        raise Conflict(_("项目代码“%(code)s”已被使用。") % {"code": programme.code}, code="code_taken")
    return programme


def programme_create(*, actor: Actor, org_unit: OrgUnit, **fields: Any) -> Programme:
    """A programme owned by `org_unit` (a province adding a local top-up, say). It has no rule yet:
    nobody is eligible until a rule is saved (rule_version_save), and nothing is paid until an amount
    rule is added (amount_rule_add)."""
    scoping.require(actor, MANAGE_PROGRAMMES, org_unit)
    values = _clean_fields(fields, creating=True)
    if not values.get("code"):
        raise ValidationError(_("请填写项目代码。"), code="code_required")
    if Programme.objects.filter(code=values["code"]).exists():
        raise Conflict(_("项目代码“%(code)s”已被使用。") % {"code": values["code"]}, code="code_taken")
    _check_allocation(actor, values.get("allocation"))
    programme = Programme(org_unit=org_unit, created_by=signed_in(actor), **values)
    _check_funding(programme)
    with transaction.atomic():
        _save_new(programme)
        log(
            programme,
            "programmes.programme.created",
            actor=actor,
            org_unit=org_unit,
            data={"code": programme.code},
        )
    return programme


def programme_from_template(
    *,
    actor: Actor,
    template: str,
    org_unit: OrgUnit,
    code: str | None = None,
    allocation: Any = None,
) -> Programme:
    """A national programme from its catalogue template: the definition, rule version 1 and the whole
    amount history. With `allocation`, it is paid from that fund allocation instead of a budget line.
    The code defaults to the template key, or the key plus the branch code if that is taken."""
    scoping.require(actor, MANAGE_PROGRAMMES, org_unit)
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValidationError(
            _("没有名为“%(name)s”的项目模板，可用：%(names)s。")
            % {"name": template, "names": ", ".join(TEMPLATES)},
            code="unknown_template",
        )
    _check_allocation(actor, allocation)
    if not code:
        code = spec.key
        if Programme.objects.filter(code=code).exists():
            code = f"{spec.key}-{org_unit.code}"
    fields = dict(spec.fields, code=code)
    if allocation is not None:
        fields.update(funding_source=FundingSource.FUND, allocation=allocation, budget_line="")
    values = _clean_fields(fields, creating=True)
    if Programme.objects.filter(code=values["code"]).exists():
        raise Conflict(_("项目代码“%(code)s”已被使用。") % {"code": values["code"]}, code="code_taken")
    rules.validate(spec.rule)
    programme = Programme(org_unit=org_unit, created_by=signed_in(actor), template=spec.key, **values)
    _check_funding(programme)
    with transaction.atomic():
        _save_new(programme)
        RuleVersion.objects.create(
            programme=programme, version=1, rule=spec.rule, note=spec.rule_note, created_by=signed_in(actor)
        )
        AmountRule.objects.bulk_create(
            [
                AmountRule(
                    programme=programme,
                    label=a.label,
                    condition=a.condition,
                    amount=a.amount,
                    valid_from=a.valid_from or dt.date.min,  # installed_amounts all have one
                    valid_to=a.valid_to,
                    priority=a.priority,
                    source=a.source,
                )
                for a in spec.installed_amounts
            ]
        )
        log(
            programme,
            "programmes.programme.created_from_template",
            actor=actor,
            org_unit=org_unit,
            data={
                "template": spec.key,
                "code": programme.code,
                "amount_rules": len(spec.installed_amounts),
                "unconfirmed": [f"{a.label} {a.amount}" for a in spec.unconfirmed],
            },
        )
    return programme


def programme_update(*, actor: Actor, programme: Programme, **fields: Any) -> Programme:
    """Change a programme's definition. Fields that decide who is paid how much per period (target,
    period, pro rata, counting start, age limit) are frozen once a cycle has been generated."""
    _require_manage(actor, programme)
    values = _clean_fields(fields, creating=False)
    changes = {k: v for k, v in values.items() if getattr(programme, k) != v}
    if not changes:
        return programme
    if "allocation" in changes:
        _check_allocation(actor, changes["allocation"])
    frozen = [f for f in PAYMENT_FIELDS if f in changes]
    if frozen and Cycle.objects.filter(programme=programme).exists():
        raise Conflict(
            _("项目已生成过发放周期，不能再修改：%(fields)s。如需调整，请新设项目。")
            % {"fields": "、".join(_field_label(f) for f in frozen)},
            code="payment_fields_frozen",
        )
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        old = {k: getattr(locked, k) for k in changes}
        for k, v in changes.items():
            setattr(locked, k, v)
        _check_funding(locked)
        locked.save(update_fields=list(changes))
        log(
            locked,
            "programmes.programme.updated",
            actor=actor,
            org_unit=locked.org_unit,
            changes={k: [old[k], changes[k]] for k in changes},
        )
    for k, v in changes.items():
        setattr(programme, k, v)
    return programme


def rule_version_save(*, actor: Actor, programme: Programme, rule: dict, note: str) -> RuleVersion:
    """Save `rule` as the programme's next rule version (in force from now). Refused when it does not
    validate, or when it is the same as the rule in force."""
    _require_manage(actor, programme)
    rules.validate(rule)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("请填写修改说明。"), code="note_required")
    if len(note) > 200:
        raise ValidationError(_("修改说明不能超过200字。"), code="note_too_long")
    with transaction.atomic():
        # The programme row is the lock that serialises two editors saving at once.
        Programme.objects.select_for_update().filter(pk=programme.pk).exists()
        last = RuleVersion.objects.filter(programme=programme).order_by("-version").first()
        if last is not None and last.rule == rule:
            raise Conflict(
                _("资格条件与当前版本（第%(v)d版）相同，没有保存新版本。") % {"v": last.version},
                code="rule_unchanged",
            )
        version = RuleVersion.objects.create(
            programme=programme,
            version=(last.version + 1) if last else 1,
            rule=rule,
            note=note,
            created_by=signed_in(actor),
        )
        log(
            version,
            "programmes.rule.saved",
            actor=actor,
            org_unit=programme.org_unit,
            data={"programme": programme.pk, "version": version.version, "note": note},
        )
    return version


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("金额“%(value)s”不是有效的数字。") % {"value": value}, code="bad_amount")
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_("金额必须大于0。"), code="bad_amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("金额最多保留两位小数。"), code="bad_amount")
    if amount >= Decimal("10000000000"):
        raise ValidationError(_("金额过大。"), code="bad_amount")
    return amount.quantize(Decimal("0.01"))


def _not_into_generated(programme: Programme, day: dt.date, what: str) -> None:
    last = _last_generated_month(programme)
    if last is not None and day <= month_end(last):
        raise Conflict(
            _("已生成至 %(period)s 的发放，%(what)s不能早于 %(day)s；往期差额请用补发或补差处理。")
            % {"period": month_label(last), "what": what, "day": month_end(last) + dt.timedelta(days=1)},
            code="amount_used",
        )


def amount_rule_add(
    *,
    actor: Actor,
    programme: Programme,
    label: str,
    amount: Decimal | str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    condition: dict | None = None,
    priority: int = 100,
    source: str = "",
) -> AmountRule:
    """A new amount per period for beneficiaries meeting `condition` ({} = everyone), valid from
    `valid_from` (to `valid_to`, if given). Lower priority is tried first. It may not start in months
    already generated, and may not overlap a rule of the same condition and priority."""
    _require_manage(actor, programme)
    label = (label or "").strip()
    if not label:
        raise ValidationError(_("请填写标准名称。"), code="label_required")
    money = _amount(amount)
    condition = condition or {}
    rules.validate(condition)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("执行截止日期不能早于起始日期。"), code="bad_dates")
    if not 0 <= int(priority) <= 32767:
        raise ValidationError(_("优先级应为0–32767的整数。"), code="bad_priority")
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).exists()
        _not_into_generated(programme, valid_from, _("执行起始日期"))
        for other in AmountRule.objects.filter(programme=programme, priority=priority):
            if other.condition != condition:
                continue
            ends = other.valid_to or dt.date.max
            if valid_from <= ends and (valid_to or dt.date.max) >= other.valid_from:
                raise Conflict(
                    _(
                        "与已有标准“%(label)s”（%(start)s 起）的适用条件和优先级相同且日期重叠；请先结束该标准。"
                    )
                    % {"label": other.label, "start": other.valid_from},
                    code="amount_overlap",
                )
        row = AmountRule(
            programme=programme,
            label=label,
            amount=money,
            condition=condition,
            valid_from=valid_from,
            valid_to=valid_to,
            priority=int(priority),
            source=(source or "").strip(),
        )
        row.full_clean(exclude=["programme"])
        row.save()
        log(
            row,
            "programmes.amount_rule.added",
            actor=actor,
            org_unit=programme.org_unit,
            data={
                "programme": programme.pk,
                "label": label,
                "amount": money,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "condition": condition,
                "priority": row.priority,
            },
        )
    return row


def amount_rule_end(*, actor: Actor, amount_rule: AmountRule, valid_to: dt.date) -> AmountRule:
    """End an amount rule on `valid_to` (the last day it applies). Amounts are never edited in place;
    an open rule may be ended once, not before its start nor inside months already generated."""
    programme = amount_rule.programme
    _require_manage(actor, programme)
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).exists()
        row = AmountRule.objects.select_for_update().get(pk=amount_rule.pk)
        if row.valid_to is not None:
            raise Conflict(
                _("标准“%(label)s”已于 %(day)s 截止，不能再修改。")
                % {"label": row.label, "day": row.valid_to},
                code="already_ended",
            )
        if valid_to < row.valid_from:
            raise ValidationError(
                _("截止日期不能早于该标准的起始日期 %(day)s。") % {"day": row.valid_from}, code="bad_dates"
            )
        _not_into_generated(programme, valid_to + dt.timedelta(days=1), _("截止后的次日"))
        row.valid_to = valid_to
        row.save(update_fields=["valid_to"])
        log(
            row,
            "programmes.amount_rule.ended",
            actor=actor,
            org_unit=programme.org_unit,
            changes={"valid_to": [None, valid_to]},
            data={"programme": programme.pk},
        )
    amount_rule.valid_to = valid_to
    return amount_rule


# --- the 应享未享 (eligible but not enrolled) export ------------------------------------------------------

MISSED_EXPORT_LIMIT = 50_000
_SEX = {"male": "男", "female": "女"}
_HUKOU = {"urban": "城镇", "rural": "农村"}
# A file format: Chinese whatever the interface language, like the registry export.
MISSED_HEADERS = [
    "村(社区)",
    "村(社区)代码",
    "姓名",
    "性别",
    "出生日期",
    "户籍类型",
    "身份证号(脱敏)",
    "联系电话(脱敏)",
    "住址",
]


def missed_export(
    *, actor: Actor, programme: Programme, as_of: dt.date, village: OrgUnit | None = None
) -> tuple[bytes, int]:
    """The eligible-but-not-enrolled list as .xlsx, for clerks to invite people: within where the actor
    may export persons (registry.export_persons), masked ID and phone only, audited. Refused above
    50,000 rows (choose a village)."""
    import io

    from guanhuai.core.xlsx_stream import XlsxStream
    from guanhuai.programmes.selectors.programmes import eligible_not_enrolled
    from guanhuai.registry.permissions import EXPORT_PERSONS

    if not scoping.can_anywhere(actor, EXPORT_PERSONS):
        raise PermissionDenied(_("您没有导出户籍人口的权限。"))
    qs = eligible_not_enrolled(
        actor=actor, programme=programme, as_of=as_of, village=village, perm=EXPORT_PERSONS
    )
    total = qs.count()
    if total > MISSED_EXPORT_LIMIT:
        raise ValidationError(
            _("共 %(n)d 人，超过单次导出上限 %(max)d 人，请按村(社区)筛选后导出。")
            % {"n": total, "max": MISSED_EXPORT_LIMIT},
            code="too_many_rows",
        )
    columns = (
        "org_unit__name",
        "org_unit__code",
        "name",
        "sex",
        "birth_date",
        "hukou_type",
        "id_masked",
        "phone_masked",
        "household__address",
    )
    rows = 0
    buffer = io.BytesIO()
    with XlsxStream(buffer, "应享未享", widths=(14, 14, 10, 6, 12, 8, 20, 14, 30)) as sheet:
        sheet.append(MISSED_HEADERS)
        for v in qs.values_list(*columns).iterator(chunk_size=2000):
            sheet.append(
                [v[0], v[1], v[2], _SEX.get(v[3], v[3]), v[4], _HUKOU.get(v[5], v[5]), v[6], v[7], v[8] or ""]
            )
            rows += 1
    with transaction.atomic():
        log(
            programme,
            "programmes.missed.exported",
            actor=actor,
            org_unit=village or programme.org_unit,
            data={"as_of": as_of, "village": village.code if village else "", "rows": rows, "masked": True},
        )
    return buffer.getvalue(), rows
