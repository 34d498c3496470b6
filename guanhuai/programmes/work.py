"""The programmes app's items on the home page's work queue (`core/work.py` says how items work).

Each provider first asks whether the actor holds the permission the work needs anywhere; if not, the
item is hidden. Counts come from the scoped selectors, one query each (the review queue is one grouped
count by step), and each link opens the list where exactly the counted rows are shown."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import DomainError
from guanhuai.core.work import WorkItem, register
from guanhuai.programmes.models import Application, PaymentBatch
from guanhuai.programmes.periods import month_index, period_containing
from guanhuai.programmes.permissions import (
    APPLY,
    APPROVE_CYCLES,
    GENERATE_CYCLES,
    HANDLE_GRIEVANCES,
    MANAGE_ENROLMENTS,
    MANAGE_NOTICES,
    PAY,
)
from guanhuai.programmes.selectors import applications as apps_sel
from guanhuai.programmes.selectors import cycles as cycles_sel
from guanhuai.programmes.selectors import enrolments as enrol_sel
from guanhuai.programmes.selectors import programmes as prog_sel
from guanhuai.programmes.services.applications import STEP_PERMISSIONS
from guanhuai.programmes.states import ApplicationStatus, BatchStatus, CycleStatus, ObjectionStatus, Step

APPLICATIONS = _("申请")
REVIEW = _("审核")
ENROLMENTS = _("享受对象")
PAYMENTS = _("发放")
GRIEVANCES = _("投诉")


def _url(name: str, *args: Any, **query: Any) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


@register("programmes.returned", order=110, group=APPLICATIONS)
def returned(actor: Actor) -> WorkItem | None:
    if not scoping.can_anywhere(actor, APPLY):
        return None
    qs = scoping.scope(Application.objects.filter(status=ApplicationStatus.RETURNED), actor, APPLY)
    return WorkItem(
        label=_("退回待修改的申请"),
        count=qs.count(),
        url=_url("programmes:application_list", status=ApplicationStatus.RETURNED),
        tone="warning",
    )


@register("programmes.drafts", order=120, group=APPLICATIONS)
def drafts(actor: Actor) -> WorkItem | None:
    if not scoping.can_anywhere(actor, APPLY):
        return None
    qs = scoping.scope(Application.objects.filter(status=ApplicationStatus.DRAFT), actor, APPLY)
    return WorkItem(
        label=_("未提交的草稿"),
        count=qs.count(),
        url=_url("programmes:application_list", status=ApplicationStatus.DRAFT),
    )


@register("programmes.missed", order=130, group=APPLICATIONS)
def missed(actor: Actor) -> list[WorkItem]:
    """应享未享, per active programme the clerk can see: persons who qualify today with neither an
    enrolment nor an open application (one count per programme; a clerk sees a handful of programmes)."""
    if not scoping.can_anywhere(actor, APPLY):
        return []
    today = timezone.localdate()
    out = []
    for programme in prog_sel.programme_list(actor=actor, active=True).select_related("org_unit"):
        try:
            n = prog_sel.eligible_not_enrolled(actor=actor, programme=programme, as_of=today).count()
        except DomainError:  # a rule the current data cannot evaluate: the programme page says why
            continue
        out.append(
            WorkItem(
                label=_("应享未享"),
                detail=programme.name,
                count=n,
                url=_url("programmes:programme_missed", programme.pk),
                key=f"programmes.missed.{programme.code}",
            )
        )
    return out


@register("programmes.grievances_overdue", order=230, group=GRIEVANCES)
def grievances_overdue(actor: Actor) -> WorkItem | None:
    if not scoping.can_anywhere(actor, HANDLE_GRIEVANCES):
        return None
    return WorkItem(
        label=_("逾期未办结的投诉"),
        detail=_("登记超过 %(n)d 天") % {"n": apps_sel.GRIEVANCE_DUE_DAYS},
        count=apps_sel.grievance_list(
            actor=actor, overdue_before=apps_sel.grievance_overdue_before()
        ).count(),
        url=_url("programmes:grievance_list", overdue=1),
        tone="warning",
    )


@register("programmes.review", order=200, group=REVIEW)
def review(actor: Actor) -> list[WorkItem]:
    """The review queue, one tile per step the actor may decide at (one grouped count)."""
    steps = [
        s for s, perm in STEP_PERMISSIONS.items() if s != Step.NOTICE and scoping.can_anywhere(actor, perm)
    ]
    if not steps:
        return []
    qs = apps_sel.application_list(actor=actor, filters=apps_sel.ApplicationFilters(awaiting_me=True))
    counts = dict(qs.order_by().values_list("step").annotate(n=Count("id")).values_list("step", "n"))
    return [
        WorkItem(
            label=_("待我审核"),
            detail=Step(s).label,
            count=counts.get(s, 0),
            url=_url("programmes:home", step=s),
            key=f"programmes.review.{s}",
        )
        for s in steps
    ]


@register("programmes.notices", order=210, group=REVIEW)
def notices(actor: Actor) -> list[WorkItem]:
    if not scoping.can_anywhere(actor, MANAGE_NOTICES):
        return []
    to_open = sum(row["n"] for row in apps_sel.awaiting_notice(actor=actor))
    return [
        WorkItem(
            label=_("等待发布公示的申请"),
            count=to_open,
            url=_url("programmes:home") + "#to-notice",
            key="programmes.notices.to_open",
        ),
        WorkItem(
            label=_("公示期满待结束"),
            count=apps_sel.notice_list(actor=actor, to_close=True).count(),
            url=_url("programmes:notice_list", to_close=1),
            key="programmes.notices.to_close",
        ),
        WorkItem(
            label=_("待处理异议"),
            count=apps_sel.objection_list(actor=actor).filter(status=ObjectionStatus.OPEN).count(),
            url=_url("programmes:notice_list"),
            key="programmes.notices.objections",
        ),
    ]


@register("programmes.grievances", order=220, group=GRIEVANCES)
def grievances(actor: Actor) -> WorkItem | None:
    if not scoping.can_anywhere(actor, HANDLE_GRIEVANCES):
        return None
    return WorkItem(
        label=_("待受理的投诉"),
        count=apps_sel.grievance_list(actor=actor, status="open").count(),
        url=_url("programmes:grievance_list", status="open"),
    )


@register("programmes.flagged", order=300, group=ENROLMENTS)
def flagged(actor: Actor) -> WorkItem | None:
    """Enrolments re-confirmation flagged, for those who decide about them (county approvers)."""
    if not scoping.can_anywhere(actor, MANAGE_ENROLMENTS):
        return None
    return WorkItem(
        label=_("资格确认待复核"),
        count=sum(enrol_sel.flag_counts(actor=actor).values()),
        url=_url("programmes:enrolment_flagged"),
        tone="warning",
    )


@register("programmes.cycles_to_generate", order=400, group=PAYMENTS)
def cycles_to_generate(actor: Actor) -> WorkItem | None:
    """Active programmes the actor may generate for that have no cycle for the current period yet."""
    if not scoping.can_anywhere(actor, GENERATE_CYCLES):
        return None
    today = timezone.localdate()
    programmes = [
        p
        for p in cycles_sel.programmes_visible(actor=actor).filter(active=True)
        if scoping.can(actor, GENERATE_CYCLES, p.org_unit)
    ]
    now = month_index(today)
    covered = set(
        cycles_sel.cycle_list(actor=actor)
        .filter(programme__in=programmes, first_month__lte=now, last_month__gte=now)
        .values_list("programme_id", flat=True)
    )
    missing = [p for p in programmes if p.pk not in covered]
    return WorkItem(
        label=_("本期待生成的发放周期"),
        detail=str(_("、")).join(f"{p.name} {period_containing(today, p.period).label}" for p in missing[:3]),
        count=len(missing),
        url=_url("programmes:cycle_list"),
    )


@register("programmes.cycles_to_approve", order=410, group=PAYMENTS)
def cycles_to_approve(actor: Actor) -> WorkItem | None:
    if not (scoping.can_anywhere(actor, APPROVE_CYCLES) or scoping.can_anywhere(actor, GENERATE_CYCLES)):
        return None
    return WorkItem(
        label=_("待审批的发放周期"),
        count=cycles_sel.cycle_list(actor=actor, status=CycleStatus.REVIEW).count(),
        url=_url("programmes:cycle_list", status=CycleStatus.REVIEW),
    )


@register("programmes.batches", order=420, group=PAYMENTS)
def batches(actor: Actor) -> list[WorkItem]:
    """Batches to export and batches waiting for the bank's result file (one grouped count). The link
    opens the cycle when all of them belong to one cycle, else the approved cycles."""
    if not scoping.can_anywhere(actor, PAY):
        return []
    rows = (
        # batches of the cycles the actor sees (cycle_list applies the programme's visibility)
        scoping.mark_scoped(PaymentBatch.objects.all())
        .filter(
            cycle__in=cycles_sel.cycle_list(actor=actor).order_by().values("pk"),
            status__in=[BatchStatus.CREATED, BatchStatus.EXPORTED],
        )
        .order_by()
        .values_list("status", "cycle_id")
        .annotate(n=Count("id"))
    )
    by_status: dict[str, dict[int, int]] = {BatchStatus.CREATED: {}, BatchStatus.EXPORTED: {}}
    for status, cycle_id, n in rows:
        by_status[status][cycle_id] = n
    out = []
    for status, label in (
        (BatchStatus.CREATED, _("待导出银行文件的批次")),
        (BatchStatus.EXPORTED, _("待导入回盘的批次")),
    ):
        cycles = by_status[status]
        if len(cycles) == 1:
            url = _url("programmes:cycle_detail", next(iter(cycles)))
        else:
            url = _url("programmes:cycle_list", status=CycleStatus.APPROVED)
        out.append(
            WorkItem(label=label, count=sum(cycles.values()), url=url, key=f"programmes.batches.{status}")
        )
    return out
