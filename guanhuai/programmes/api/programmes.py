"""/api/v1/programmes: programme definitions, the rule language's facts, rule preview and versions, amount
rules, and the eligible-but-not-enrolled list (应享未享).

Reads go through selectors/programmes.py. A programme is visible to anyone with `programmes.view` whose
branches overlap its owning branch (a county user sees the province's programmes); one that is not
visible is a 404 exactly like a missing one. Writes go through services/programmes.py and need
`programmes.manage_programmes` on the owning branch: one who sees the programme but may not change it
gets 403.

Errors are `{"code", "message", "details"}`:
- 422 `unknown_fact` — the rule names a fact that does not exist (the message names it and where);
- 422 `bad_rule` — wrong operator, value type or shape (`details.path` is the position, e.g. `all[1]`);
- 409 `rule_unchanged`, `amount_overlap`, `amount_used`, `already_ended`, `code_taken`,
  `payment_fields_frozen`;
- 422 `bad_amount`, `bad_dates`, `unknown_template`, `allocation_required`, `budget_line_required` …

Money is a string with two decimals ("590.00"). Person names in the preview sample are masked.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import StrictInt, StrictStr

from guanhuai.accounts import scoping
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, Money, Paged, paginate, patch_data
from guanhuai.core.api import actor as actor_of
from guanhuai.core.errors import NotFound, ValidationError
from guanhuai.funds.models import Allocation
from guanhuai.orgs.models import OrgUnit
from guanhuai.programmes import rules
from guanhuai.programmes.catalogue import TEMPLATES
from guanhuai.programmes.models import AmountRule, Programme, RuleVersion
from guanhuai.programmes.selectors import programmes as selectors
from guanhuai.programmes.services import programmes as services
from guanhuai.registry.permissions import VIEW_PERSONS

router = Router(tags=["programmes: definitions and rules"])


RuleJson = Annotated[
    dict[str, Any],
    Field(
        description='规则语言：{"all": [...]}, {"any": [...]}, {"not": {...}}，条件 {"fact": "age", "op": ">=", '
        '"value": 49}；可用的 fact 见 GET /programmes/facts',
        examples=[{"all": [{"fact": "mother_age", "op": ">=", "value": 49}]}],
    ),
]


def _get(request: HttpRequest, programme_id: int) -> Programme:
    return selectors.programme_get(actor=actor_of(request), id=programme_id)


def _unit_ref(request: HttpRequest, code: str) -> OrgUnit:
    """A branch named in the body by its division code: unknown or invisible is a 422 about that input."""
    unit = scoping.units(actor_of(request), "orgs.view_units").filter(code=code).first()
    if unit is None:
        raise ValidationError(
            _("组织“%(code)s”不存在，或您无权访问。") % {"code": code}, code="unknown_org_unit"
        )
    return unit


def _allocation_ref(request: HttpRequest, allocation_id: int | None) -> Allocation | None:
    if allocation_id is None:
        return None
    visible = scoping.path_q(actor_of(request), "funds.view_funds", path_field="fund__org_unit__path")
    allocation = (
        scoping.mark_scoped(Allocation.objects.filter(visible, pk=allocation_id))
        .select_related("fund")
        .first()
    )
    if allocation is None:
        raise ValidationError(
            _("资金分配（编号 %(id)s）不存在，或您无权使用。") % {"id": allocation_id},
            code="unknown_allocation",
        )
    return allocation


# --- schemas ---------------------------------------------------------------------------------------------


class ProgrammeUnitRef(Schema):
    id: int
    code: str
    name: str


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    legal_basis: str
    description: str
    org_unit: ProgrammeUnitRef
    target: str
    benefit: str
    period: str
    pro_rata: str
    counts_from: dt.date | None
    age_limit_months: int | None
    funding_source: str
    allocation_id: int | None
    budget_line: str
    steps: list[str]
    notice_days: int
    notice_names: str = Field(
        ..., description="纸质公示姓名显示：surname（张**）或 keep_last（张*明）；网上公示只显示姓"
    )
    objection_phone: str = Field(..., description="异议受理电话，印在公示上")
    approvals_required: int
    template: str
    active: bool


class ProgrammeAmountRuleOut(Schema):
    id: int
    label: str
    amount: Money
    valid_from: dt.date
    valid_to: dt.date | None
    condition: dict[str, Any]
    priority: int
    source: str


class ProgrammeRuleVersionOut(Schema):
    version: int
    rule: dict[str, Any]
    note: str
    created_by: str
    created_at: dt.datetime


class ProgrammeDetailOut(ProgrammeOut):
    rule: ProgrammeRuleVersionOut | None
    amount_rules: list[ProgrammeAmountRuleOut]
    can_manage: bool


class ProgrammeFactOpOut(Schema):
    op: str
    label: str


class ProgrammeFactChoiceOut(Schema):
    value: str
    label: str


class ProgrammeFactOut(Schema):
    name: str
    label: str
    type: str = Field(..., description="int | choice | bool | date | branch")
    ops: list[ProgrammeFactOpOut]
    choices: list[ProgrammeFactChoiceOut]
    min: int | None
    max: int | None
    help: str


class ProgrammeTemplateOut(Schema):
    key: str
    title: str
    rule: dict[str, Any]
    amounts: list[dict[str, Any]]


class ProgrammeFromTemplateIn(Schema):
    template: str = Field(..., examples=["special_assistance"])
    org_unit: str = Field(..., description="主管组织的区划代码", examples=["440000"])
    code: str | None = Field(None, max_length=40)
    allocation_id: int | None = None


class ProgrammeCreateIn(Schema):
    org_unit: str = Field(..., description="主管组织的区划代码")
    code: str = Field(..., max_length=40)
    name: str
    legal_basis: str
    description: str = ""
    target: str = "person"
    benefit: str = "cash"
    period: str = "monthly"
    pro_rata: str = "none"
    counts_from: dt.date | None = None
    age_limit_months: int | None = None
    funding_source: str = "budget"
    allocation_id: int | None = None
    budget_line: str = ""
    steps: list[str] = Field(default_factory=lambda: ["village", "notice", "township", "county"])
    notice_days: int = 7
    notice_names: str = Field(
        "keep_last", description="纸质公示姓名显示：surname（张**）或 keep_last（张*明）"
    )
    objection_phone: str = Field("", max_length=40, description="异议受理电话，印在公示上")
    approvals_required: int = 2


class ProgrammeUpdateIn(Schema):
    name: str | None = None
    legal_basis: str | None = None
    description: str | None = None
    target: str | None = None
    benefit: str | None = None
    period: str | None = None
    pro_rata: str | None = None
    counts_from: dt.date | None = None
    age_limit_months: int | None = None
    funding_source: str | None = None
    allocation_id: int | None = None
    budget_line: str | None = None
    steps: list[str] | None = None
    notice_days: int | None = None
    notice_names: str | None = None
    objection_phone: str | None = Field(None, max_length=40)
    approvals_required: int | None = None
    active: bool | None = None


class ProgrammePreviewIn(Schema):
    rule: RuleJson
    as_of: dt.date | None = Field(None, description="认定日期，默认今天")


class ProgrammeSamplePersonOut(Schema):
    id: int
    name: str = Field(..., description="姓名（脱敏）")
    sex: str
    birth_year: int
    village: str


class ProgrammeCountyCountOut(Schema):
    code: str
    name: str
    count: int


class ProgrammePreviewOut(Schema):
    as_of: dt.date
    count: int
    sample: list[ProgrammeSamplePersonOut]
    by_county: list[ProgrammeCountyCountOut]


class ProgrammeRuleIn(Schema):
    rule: RuleJson
    note: str = Field(..., max_length=200, description="修改说明")


class ProgrammeAmountRuleIn(Schema):
    label: str
    amount: StrictStr | StrictInt = Field(..., description='每期金额（元），如 "590.00"')
    valid_from: dt.date
    valid_to: dt.date | None = None
    condition: dict[str, Any] = Field(default_factory=dict, description="规则语言；{} 表示所有享受对象")
    priority: int = 100
    source: str = ""


class ProgrammeAmountEndIn(Schema):
    valid_to: dt.date


class ProgrammeMissedPersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_masked: str = Field(..., description="身份证号（脱敏）")
    village: ProgrammeUnitRef


# --- output helpers -------------------------------------------------------------------------------------


def _unit(u: OrgUnit) -> dict[str, Any]:
    return {"id": u.pk, "code": u.code, "name": u.name}


def _programme(p: Programme) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in ProgrammeOut.model_fields if f not in ("org_unit",)},
        "org_unit": _unit(p.org_unit),
    }


def _version(v: RuleVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "rule": v.rule,
        "note": v.note,
        "created_by": str(v.created_by),
        "created_at": v.created_at,
    }


def _amount(a: AmountRule) -> dict[str, Any]:
    return {f: getattr(a, f) for f in ProgrammeAmountRuleOut.model_fields}


def _detail(request: HttpRequest, p: Programme) -> dict[str, Any]:
    version = (
        RuleVersion.objects.filter(programme=p).select_related("created_by").order_by("-version").first()
    )
    return {
        **_programme(p),
        "rule": _version(version) if version else None,
        "amount_rules": [_amount(a) for a in selectors.amount_history(p)],
        "can_manage": selectors.can_manage(actor_of(request), p),
    }


# --- endpoints --------------------------------------------------------------------------------------------


@router.get("/programmes", response={200: list[ProgrammeOut], **READ}, summary="扶助项目列表")
@paginate
def programme_list(request: HttpRequest, q: str = "", active: bool | None = None) -> Any:
    rows = selectors.programme_list(actor=actor_of(request), active=active, q=q)
    return Paged(rows, lambda page: [_programme(p) for p in page])


@router.get(
    "/programmes/facts", response={200: list[ProgrammeFactOut], **AUTH_ERRORS}, summary="规则语言的条件项"
)
def programme_facts(request: HttpRequest) -> Any:
    return rules.facts_catalogue()


@router.get(
    "/programmes/templates", response={200: list[ProgrammeTemplateOut], **AUTH_ERRORS}, summary="国家项目模板"
)
def programme_templates(request: HttpRequest) -> Any:
    return [
        {
            "key": t.key,
            "title": str(t.title),
            "rule": t.rule,
            "amounts": [
                {
                    "label": a.label,
                    "amount": f"{a.amount:.2f}",
                    "valid_from": a.valid_from,
                    "valid_to": a.valid_to,
                    "condition": a.condition,
                    "source": a.source,
                    "installed": a.valid_from is not None,
                }
                for a in t.amounts
            ],
        }
        for t in TEMPLATES.values()
    ]


@router.post(
    "/programmes/from-template", response={201: ProgrammeDetailOut, **WRITE}, summary="按国家模板设立项目"
)
def programme_from_template(request: HttpRequest, body: ProgrammeFromTemplateIn) -> Any:
    programme = services.programme_from_template(
        actor=actor_of(request),
        template=body.template,
        org_unit=_unit_ref(request, body.org_unit),
        code=body.code,
        allocation=_allocation_ref(request, body.allocation_id),
    )
    return Status(201, _detail(request, programme))


@router.post("/programmes", response={201: ProgrammeDetailOut, **WRITE}, summary="设立扶助项目（地方项目）")
def programme_create(request: HttpRequest, body: ProgrammeCreateIn) -> Any:
    data = body.model_dump()
    unit = _unit_ref(request, data.pop("org_unit"))
    data["allocation"] = _allocation_ref(request, data.pop("allocation_id"))
    programme = services.programme_create(actor=actor_of(request), org_unit=unit, **data)
    return Status(201, _detail(request, programme))


@router.get(
    "/programmes/{int:programme_id}", response={200: ProgrammeDetailOut, **READ}, summary="扶助项目详情"
)
def programme_detail(request: HttpRequest, programme_id: int) -> Any:
    return _detail(request, _get(request, programme_id))


@router.patch(
    "/programmes/{int:programme_id}", response={200: ProgrammeDetailOut, **WRITE}, summary="修改扶助项目"
)
def programme_update(request: HttpRequest, programme_id: int, body: ProgrammeUpdateIn) -> Any:
    programme = _get(request, programme_id)
    data = patch_data(body, Programme)
    if "allocation_id" in data:
        data["allocation"] = _allocation_ref(request, data.pop("allocation_id"))
    services.programme_update(actor=actor_of(request), programme=programme, **data)
    return _detail(request, programme)


@router.post(
    "/programmes/rules/preview",
    response={200: ProgrammePreviewOut, **READ},
    summary="预览规则（不针对具体项目）",
    description="在您可见的人员范围内计算符合规则的人数、样例（脱敏）和按县统计；不保存。",
)
def rule_preview_any(request: HttpRequest, body: ProgrammePreviewIn) -> Any:
    scoping.require_anywhere(actor_of(request), VIEW_PERSONS)
    return selectors.eligibility_preview(
        actor=actor_of(request), rule=body.rule, as_of=body.as_of or timezone.localdate()
    )


@router.post(
    "/programmes/{int:programme_id}/rules/preview",
    response={200: ProgrammePreviewOut, **READ},
    summary="预览规则（保存前）",
    description="在您可见、且属于项目主管组织范围内的人员中计算；不保存。坏规则返回 422 与 code。",
)
def rule_preview(request: HttpRequest, programme_id: int, body: ProgrammePreviewIn) -> Any:
    programme = _get(request, programme_id)
    return selectors.eligibility_preview(
        actor=actor_of(request), rule=body.rule, as_of=body.as_of or timezone.localdate(), programme=programme
    )


@router.get(
    "/programmes/{int:programme_id}/rules",
    response={200: list[ProgrammeRuleVersionOut], **READ},
    summary="资格条件版本",
)
def rule_versions(request: HttpRequest, programme_id: int) -> Any:
    programme = _get(request, programme_id)
    return [
        _version(v)
        for v in RuleVersion.objects.filter(programme=programme)
        .select_related("created_by")
        .order_by("-version")
    ]


@router.post(
    "/programmes/{int:programme_id}/rules",
    response={201: ProgrammeRuleVersionOut, **WRITE},
    summary="保存资格条件新版本",
)
def rule_save(request: HttpRequest, programme_id: int, body: ProgrammeRuleIn) -> Any:
    programme = _get(request, programme_id)
    version = services.rule_version_save(
        actor=actor_of(request), programme=programme, rule=body.rule, note=body.note
    )
    return Status(201, _version(version))


@router.get(
    "/programmes/{int:programme_id}/amount-rules",
    response={200: list[ProgrammeAmountRuleOut], **READ},
    summary="发放标准（历史）",
)
def amount_rules(request: HttpRequest, programme_id: int) -> Any:
    return [_amount(a) for a in selectors.amount_history(_get(request, programme_id))]


@router.post(
    "/programmes/{int:programme_id}/amount-rules",
    response={201: ProgrammeAmountRuleOut, **WRITE},
    summary="新增发放标准",
)
def amount_rule_add(request: HttpRequest, programme_id: int, body: ProgrammeAmountRuleIn) -> Any:
    programme = _get(request, programme_id)
    row = services.amount_rule_add(
        actor=actor_of(request),
        programme=programme,
        label=body.label,
        amount=str(body.amount),
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        condition=body.condition,
        priority=body.priority,
        source=body.source,
    )
    return Status(201, _amount(row))


@router.post(
    "/programmes/{int:programme_id}/amount-rules/{int:rule_id}/end",
    response={200: ProgrammeAmountRuleOut, **WRITE},
    summary="结束发放标准",
)
def amount_rule_end(request: HttpRequest, programme_id: int, rule_id: int, body: ProgrammeAmountEndIn) -> Any:
    programme = _get(request, programme_id)
    row = AmountRule.objects.filter(programme=programme, pk=rule_id).first()
    if row is None:
        raise NotFound(_("未找到该发放标准。"))
    services.amount_rule_end(actor=actor_of(request), amount_rule=row, valid_to=body.valid_to)
    return _amount(row)


@router.get(
    "/programmes/{int:programme_id}/eligible-not-enrolled",
    response={200: list[ProgrammeMissedPersonOut], **READ},
    summary="应享未享名单",
    description="符合资格条件、无在享/暂停的享受记录、也没有在办申请的人员（您可见的范围内）。",
)
@paginate
def eligible_not_enrolled(
    request: HttpRequest,
    programme_id: int,
    village: str | None = Query(None, description="村(社区)区划代码"),
    as_of: dt.date | None = None,
) -> Any:
    programme = _get(request, programme_id)
    unit = None
    if village:
        unit = (
            selectors.village_choices(actor=actor_of(request), programme=programme)
            .filter(code=village)
            .first()
        )
        if unit is None:
            raise ValidationError(
                _("村(社区)“%(code)s”不存在，或您无权访问。") % {"code": village}, code="unknown_village"
            )
    day = as_of or timezone.localdate()
    rows = selectors.eligible_not_enrolled(
        actor=actor_of(request), programme=programme, as_of=day, village=unit
    )
    return Paged(
        rows,
        lambda page: [
            {
                "id": p.pk,
                "name": p.name,
                "sex": p.sex,
                "birth_date": p.birth_date,
                "id_masked": p.id_masked,
                "village": _unit(p.org_unit),
            }
            for p in page
        ],
    )
