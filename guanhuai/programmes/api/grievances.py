"""/api/v1/grievances…: complaints about an application or a payment, their assignment and outcome. Thin like
`api/applications.py`: reads through programmes.selectors.applications (a grievance outside the actor's
branches is a 404), writes through programmes.services.grievances.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from guanhuai.accounts import scoping
from guanhuai.core.api import AUTH_ERRORS, READ, WRITE, paginate, ref
from guanhuai.core.api import actor as actor_of
from guanhuai.programmes.api.applications import _application_ref
from guanhuai.programmes.permissions import VIEW
from guanhuai.programmes.selectors import applications as sel
from guanhuai.programmes.services import grievances

router = Router()

GRIEVANCES = ["programmes: grievances"]


# --- schemas (names prefixed: unique across the project) ---------------------------------------------------


class GrievanceIn(Schema):
    application_id: int | None = None
    payment_id: int | None = None
    complainant: str = Field(..., max_length=50)
    contact: str = Field("", max_length=50)
    content: str = Field(..., max_length=4000)


class GrievanceAssignIn(Schema):
    assignee_id: int


class GrievanceFinishIn(Schema):
    outcome: Literal["resolve", "reject"]
    text: str = Field(..., max_length=4000)


class GrievanceOut(Schema):
    id: int
    application_id: int | None
    payment_id: int | None
    complainant: str
    content: str
    status: str
    assigned_to_id: int | None
    resolution: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


# --- grievances ----------------------------------------------------------------------------------------


@router.get(
    "/grievances", response={200: list[GrievanceOut], **AUTH_ERRORS}, tags=GRIEVANCES, summary="投诉列表"
)
@paginate
def grievance_list(request: HttpRequest, status: str = "", mine: bool = False) -> Any:
    return sel.grievance_list(actor=actor_of(request), status=status, mine=mine).order_by(
        "-created_at", "-pk"
    )


@router.post(
    "/grievances",
    response={201: GrievanceOut, **WRITE},
    tags=GRIEVANCES,
    summary="登记投诉（针对申请或一笔发放）",
)
def grievance_record(request: HttpRequest, payload: GrievanceIn) -> Any:
    from guanhuai.programmes.models import Payment

    actor = actor_of(request)
    payment = None
    if payload.payment_id is not None:
        payment = ref(
            lambda: scoping.get_or_404(
                Payment.objects.select_related("org_unit"), actor, VIEW, pk=payload.payment_id
            ),
            code="unknown_payment",
            message=_("指定的发放记录不存在，或您无权操作。"),
        )
    grievance = grievances.grievance_record(
        actor=actor,
        application=_application_ref(request, payload.application_id) if payload.application_id else None,
        payment=payment,
        complainant=payload.complainant,
        contact=payload.contact,
        content=payload.content,
    )
    return Status(201, grievance)


@router.get(
    "/grievances/{int:grievance_id}",
    response={200: GrievanceOut, **READ},
    tags=GRIEVANCES,
    summary="投诉详情",
)
def grievance_detail(request: HttpRequest, grievance_id: int) -> Any:
    return sel.grievance_get(actor=actor_of(request), grievance_id=grievance_id)


@router.post(
    "/grievances/{int:grievance_id}/assign",
    response={200: GrievanceOut, **WRITE},
    tags=GRIEVANCES,
    summary="指定承办人",
)
def grievance_assign(request: HttpRequest, grievance_id: int, payload: GrievanceAssignIn) -> Any:
    from django.contrib.auth import get_user_model

    actor = actor_of(request)
    grievance = sel.grievance_get(actor=actor, grievance_id=grievance_id)
    assignee = get_user_model().objects.filter(pk=payload.assignee_id).first()
    return grievances.grievance_assign(actor=actor, grievance=grievance, assignee=assignee)


@router.post(
    "/grievances/{int:grievance_id}/finish",
    response={200: GrievanceOut, **WRITE},
    tags=GRIEVANCES,
    summary="办结或不予受理（须说明结果或理由）",
)
def grievance_finish(request: HttpRequest, grievance_id: int, payload: GrievanceFinishIn) -> Any:
    actor = actor_of(request)
    grievance = sel.grievance_get(actor=actor, grievance_id=grievance_id)
    if payload.outcome == "resolve":
        return grievances.grievance_resolve(actor=actor, grievance=grievance, resolution=payload.text)
    return grievances.grievance_reject(actor=actor, grievance=grievance, reason=payload.text)
