"""Writes of what a project did: activities with their participant breakdown and photos, beneficiary
households, aid agreements, income records. Each refuses bad input with a precise message and changes
nothing (one transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import Conflict, PermissionDenied, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.money import parse_amount
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects.models import Project
from guanhuai.projects.models_outcomes import (
    Activity,
    AidAgreement,
    Beneficiary,
    IncomeKind,
    IncomeRecord,
    IncomeSource,
    ParticipantCount,
    SupportKind,
)
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW
from guanhuai.projects.services.common import audit, lock
from guanhuai.projects.services.documents import document_upload
from guanhuai.projects.services.rollup import activities_refresh, gains_refresh
from guanhuai.projects.states import ProjectStatus
from guanhuai.registry.models import Household

# Statuses in which activities and outcomes may be recorded (a closed project's follow-ups still come in).
RECORDING = frozenset({ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.CLOSED})
SEX_FIELDS = ("male", "female")
AGE_PREFIX = "age_"
PEER_FIELD = "peer_educators"


def in_area(project: Project, unit: OrgUnit) -> bool:
    """Whether a branch lies at or below one of the project's area branches (one query)."""
    areas = project.area_rows.values_list("org_unit__path", flat=True)
    return any(unit.path.startswith(p) for p in areas)


def _count(value: Any, label: str) -> int:
    text = str(value if value is not None else "").strip()
    if text == "":
        return 0
    if not text.lstrip("-").isdigit():
        raise ValidationError(
            _("“%(f)s”应填整数，不是“%(v)s”。") % {"f": label, "v": text}, code="count_format"
        )
    n = int(text)
    if n < 0:
        raise ValidationError(
            _("“%(f)s”不能是负数（填了 %(v)d）。") % {"f": label, "v": n}, code="count_negative"
        )
    return n


def _score(value: Any, label: str) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    if text == "":
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("%(f)s“%(v)s”不是有效的分数。") % {"f": label, "v": text}, code="score_format"
        ) from None
    if not score.is_finite() or not (0 <= score <= 100) or score != score.quantize(Decimal("0.01")):
        raise ValidationError(_("%(f)s应在 0 到 100 之间，最多两位小数。") % {"f": label}, code="score_range")
    return score


def check_breakdown(project: Project, total: int, counts: Mapping[str, Any]) -> dict[str, int]:
    """The breakdown as numbers, checked against the total: the sexes add up to it, the age bands add up to
    it, peer educators are not more than it. Raises with the figures that disagree."""
    labels = {e["code"]: e["label"] for e in project.type.entries("participant_fields")}
    unknown = [code for code in counts if code not in labels]
    if unknown:
        raise ValidationError(
            _("参与人字段“%(f)s”不属于这个项目类型。") % {"f": unknown[0]}, code="participant_field"
        )
    numbers = {code: _count(counts.get(code), label) for code, label in labels.items()}
    groups = (
        ([c for c in labels if c in SEX_FIELDS], _("按性别")),
        ([c for c in labels if c.startswith(AGE_PREFIX)], _("按年龄段")),
    )
    for codes, what in groups:
        if codes:
            subtotal = sum(numbers[c] for c in codes)
            if subtotal != total:
                raise ValidationError(
                    _("参与人数合计 %(total)d 与%(what)s分项之和 %(sum)d 不一致。")
                    % {"total": total, "what": what, "sum": subtotal},
                    code="participants_mismatch",
                )
    if PEER_FIELD in numbers and numbers[PEER_FIELD] > total:
        raise ValidationError(
            _("参与的同伴教育者 %(n)d 人，多于参与人数合计 %(total)d。")
            % {"n": numbers[PEER_FIELD], "total": total},
            code="participants_mismatch",
        )
    return {code: n for code, n in numbers.items() if n}


def activity_log(
    *,
    actor: Actor,
    project: Project,
    kind: str,
    venue_kind: str,
    venue_unit: OrgUnit,
    venue_name: str,
    held_on: dt.date,
    participants: Any,
    counts: Mapping[str, Any],
    description: str = "",
    respondents: Any = 0,
    knowledge_pre: Any = None,
    knowledge_post: Any = None,
    photos: list[Any] | tuple[Any, ...] = (),
) -> Activity:
    """Log one activity. Refused: a kind or venue kind the type does not list; a date outside the project's
    dates; a place outside its area; a negative count or a total that does not match its breakdown; scores
    outside 0–100. Photos go through the documents' upload checks and are attached to the activity.

    The actor must log activities at the place (`venue_unit`), which must lie in the project's area: the
    project's own officers, and whoever implements it at a branch of its area (a township cadre on a county
    project, for the places of their township)."""
    ptype = project.type
    if kind not in ptype.codes("activity_kinds"):
        raise ValidationError(
            _("活动类型“%(k)s”不属于%(t)s。") % {"k": kind, "t": ptype.name}, code="activity_kind"
        )
    if venue_kind not in ptype.codes("venue_kinds"):
        raise ValidationError(
            _("场所类型“%(k)s”不属于%(t)s。") % {"k": venue_kind, "t": ptype.name}, code="venue_kind"
        )
    if not (venue_name or "").strip():
        raise ValidationError(_("请填写活动场所名称。"), code="venue_name_required")
    if not (project.start_date <= held_on <= project.end_date):
        raise ValidationError(
            _("活动日期 %(d)s 不在项目实施期 %(s)s 至 %(e)s 之内。")
            % {"d": held_on, "s": project.start_date, "e": project.end_date},
            code="activity_outside_dates",
        )
    if not in_area(project, venue_unit):
        raise ValidationError(
            _("活动地点“%(u)s”不在项目的实施范围内。") % {"u": venue_unit.name}, code="venue_outside_area"
        )
    if not scoping.can(actor, LOG_ACTIVITIES, venue_unit):  # the caller read the project through scoping
        raise PermissionDenied(
            _("您不能登记在“%(u)s”举办的活动：您没有在那里登记项目活动的权限。") % {"u": venue_unit.name},
            code="venue_not_yours",
        )
    total = _count(participants, _("参与人数"))
    numbers = check_breakdown(project, total, counts)
    answered = _count(respondents, _("答卷人数"))
    if answered > total:
        raise ValidationError(
            _("答卷人数 %(n)d 多于参与人数 %(total)d。") % {"n": answered, "total": total},
            code="respondents_mismatch",
        )
    pre, post = _score(knowledge_pre, _("前测平均分")), _score(knowledge_post, _("后测平均分"))
    if (pre is not None or post is not None) and not answered:
        raise ValidationError(_("填写了问卷分数，请同时填写答卷人数。"), code="respondents_required")
    with transaction.atomic():
        project = lock(project)
        if project.status not in RECORDING:
            raise Conflict(_("项目尚未批准，不能登记活动。"), code="project_not_running")
        activity = Activity.objects.create(
            project=project,
            kind=kind,
            venue_kind=venue_kind,
            venue_unit=venue_unit,
            venue_name=venue_name.strip(),
            held_on=held_on,
            description=description.strip(),
            participants=total,
            respondents=answered,
            knowledge_pre=pre,
            knowledge_post=post,
            recorded_by=signed_in(actor),
        )
        ParticipantCount.objects.bulk_create(
            [ParticipantCount(activity=activity, field=code, count=n) for code, n in numbers.items()]
        )
        for upload in photos:
            photo = document_upload(
                actor=actor, project=project, kind="photo", upload=upload, place=venue_unit
            )
            activity.photos.add(photo)
        activities_refresh(project_ids=[project.pk])  # under the project's lock, with the activity
        audit(
            project,
            "projects.activity.logged",
            actor=actor,
            obj=activity,
            kind=kind,
            held_on=str(held_on),
            participants=total,
        )
    return activity


def beneficiary_add(*, actor: Actor, project: Project, household: Household) -> Beneficiary:
    """Add a registry household the actor may see to a project; refused outside the project's area."""
    scoping.require(actor, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    if not in_area(project, household.org_unit):
        raise ValidationError(
            _("户“%(n)s”所在的%(u)s不在项目的实施范围内。")
            % {"n": household.number, "u": household.org_unit.name},
            code="household_outside_area",
        )
    with transaction.atomic():
        project = lock(project)
        if project.status not in RECORDING:
            raise Conflict(_("项目尚未批准，不能登记受益户。"), code="project_not_running")
        if Beneficiary.objects.filter(project=project, household=household).exists():
            raise Conflict(_("这一户已经是本项目的受益户。"), code="duplicate_beneficiary")
        row = Beneficiary.objects.create(project=project, household=household, added_by=signed_in(actor))
        audit(project, "projects.beneficiary.added", actor=actor, obj=row, household=household.pk)
    return row


def aid_agreement_add(
    *,
    actor: Actor,
    beneficiary: Beneficiary,
    support_kind: str,
    amount: Any,
    signed_on: dt.date,
    note: str = "",
) -> AidAgreement:
    """Record a 帮扶协议 with a beneficiary household (skills training and market links may be worth ¥0)."""
    project = beneficiary.project
    scoping.require(actor, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    if support_kind not in SupportKind.values:
        raise ValidationError(_("帮扶方式“%(k)s”不存在。") % {"k": support_kind}, code="support_kind")
    value = parse_amount(amount, allow_zero=True, field=_("帮扶金额"))
    with transaction.atomic():
        row = AidAgreement.objects.create(
            beneficiary=beneficiary,
            support_kind=support_kind,
            amount=value,
            signed_on=signed_on,
            note=note.strip(),
            recorded_by=signed_in(actor),
        )
        audit(
            project, "projects.agreement.signed", actor=actor, obj=row, kind=support_kind, amount=str(value)
        )
    return row


def income_record(
    *,
    actor: Actor,
    beneficiary: Beneficiary,
    kind: str,
    recorded_on: dt.date,
    net_income: Any,
    source: str,
    document: Any = None,
) -> IncomeRecord:
    """Record a household's net income, at the baseline (once) or at a follow-up (after the baseline).
    `net_income` is text as typed ("12,800.50"), checked by the money parser."""
    project = beneficiary.project
    scoping.require(actor, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    if kind not in IncomeKind.values:
        raise ValidationError(_("收入记录类型“%(k)s”不存在。") % {"k": kind}, code="income_kind")
    if source not in IncomeSource.values:
        raise ValidationError(_("数据来源“%(k)s”不存在。") % {"k": source}, code="income_source")
    value = parse_amount(net_income, allow_zero=True, field=_("家庭年纯收入"))
    with transaction.atomic():
        relock(beneficiary)
        baseline = beneficiary.incomes.filter(kind=IncomeKind.BASELINE).first()
        if kind == IncomeKind.BASELINE and baseline is not None:
            raise Conflict(
                _("这一户已有基线收入（%(d)s），每户只有一条基线。") % {"d": baseline.recorded_on},
                code="duplicate_baseline",
            )
        if kind == IncomeKind.FOLLOW_UP:
            if baseline is None:
                raise ValidationError(
                    _("请先登记这一户的基线收入，再登记跟踪收入。"), code="baseline_missing"
                )
            if recorded_on <= baseline.recorded_on:
                raise ValidationError(
                    _("跟踪调查日期 %(d)s 早于或等于基线调查日期 %(b)s。")
                    % {"d": recorded_on, "b": baseline.recorded_on},
                    code="follow_up_before_baseline",
                )
        attached = None
        if document is not None:
            attached = document_upload(actor=actor, project=project, kind="other", upload=document)
        row = IncomeRecord.objects.create(
            beneficiary=beneficiary,
            kind=kind,
            recorded_on=recorded_on,
            net_income=value,
            source=source,
            document=attached,
            recorded_by=signed_in(actor),
        )
        gains_refresh(Beneficiary.objects.filter(pk=beneficiary.pk))  # under the beneficiary's lock
        audit(
            project,
            "projects.income.recorded",
            actor=actor,
            obj=row,
            kind=kind,
            recorded_on=str(recorded_on),
            net_income=str(value),
        )
    return row
