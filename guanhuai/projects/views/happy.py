"""Pages of the Happy Family selection (幸福家庭评选): the nominations list (of one project, or every project
the actor sees) with counts by state and filters, the phone-first nomination form, and a nomination's page
with its evidence, its review trail and, for the reviewer at its step, the decision form. Thin: selectors and
services, every refusal the service's message beside its field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, form_page, message_errors, page_of, post_data
from guanhuai.projects import happy_rules as rules
from guanhuai.projects import selectors, services
from guanhuai.projects.forms.happy import NominationForm, SelectionReviewForm
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW
from guanhuai.projects.states import RUNNING, NominationStatus

PAGE_SIZE = 50
NOMINATION_ERRORS = {
    "evidence_missing": "evidence_civilised",
    "evidence_too_long": "evidence_civilised",
    "document_type": "document",
    "document_type_mismatch": "document",
    "document_too_large": "document",
    "document_empty": "document",
    "duplicate_document": "document",
}


@login_required
@require_GET
def nomination_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    project = selectors.selection_project_get(actor=request.user, project_id=pk) if pk else None
    base = selectors.nomination_list(actor=request.user, project=project)
    status = request.GET.get("status", "")
    step = request.GET.get("step", "")
    to_review = request.GET.get("mine") == "1"
    village = request.GET.get("village", "")[:50]
    rows = selectors.nomination_list(
        actor=request.user, project=project, status=status, step=step, to_review=to_review, village=village
    )
    return render(
        request,
        "projects/happy/list.html",
        {
            "project": project,
            "counts": [
                (s, NominationStatus(s).label, n) for s, n in selectors.nomination_counts(base).items()
            ],
            "page": page_of(request, rows, size=PAGE_SIZE),
            "steps": [(s, rules.step_label(s)) for s in rules.REVIEW_LEVELS],
            "filters": {"status": status, "step": step, "mine": to_review, "village": village},
            "can_nominate": project is not None
            and project.status in RUNNING
            and scoping.can_anywhere(request.user, LOG_ACTIVITIES),
        },
    )


@login_required
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.selection_project_get(actor=request.user, project_id=pk)
    scoping.require_anywhere(request.user, LOG_ACTIVITIES)
    form = NominationForm(post_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(
            form,
            NOMINATION_ERRORS,
            unknown_household="number",
            household_outside_area="number",
            household_not_in_village="number",
            not_your_village="number",
            duplicate_nomination="number",
        ):
            household = selectors.household_for_project(
                actor=request.user, number=form.cleaned_data["number"]
            )
            row = services.nomination_create(
                actor=request.user,
                project=project,
                household=household,
                evidence=form.evidence(),
                document=form.cleaned_data.get("document"),
            )
            messages.success(
                request,
                _("已提名户 %(n)s，等待%(step)s。")
                % {"n": household.number, "step": rules.step_label(row.step)},
            )
            return redirect("projects:nomination", row.pk)
    return form_page(
        request,
        form,
        title=_("提名幸福家庭：%(p)s") % {"p": project.name},
        back=reverse("projects:nominations", args=[project.pk]),
        submit=_("提交提名"),
    )


def _trail(nomination: Any) -> list[dict[str, Any]]:
    """Every step of the nomination with its decision, or where it waits, or not reached."""
    done = {r.step: r for r in nomination.reviews.all()}
    out = []
    for step in services.nomination_steps(nomination):
        out.append(
            {
                "step": step,
                "label": rules.step_label(step),
                "review": done.get(step),
                "current": step == nomination.step,
            }
        )
    return out


@login_required
def nomination_detail(request: HttpRequest, nomination_id: int) -> HttpResponse:
    row = selectors.nomination_get(actor=request.user, nomination_id=nomination_id)
    steps = services.nomination_steps(row)
    can_review = services.can_review_at(request.user, row)
    form = SelectionReviewForm(post_data(request), last=row.step == steps[-1], step=row.step)
    status = 200
    if request.method == "POST" and form.is_valid():
        with form_errors(form, reason_required="comment", default="decision") as refused:
            services.nomination_review(
                actor=request.user,
                nomination=row,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                step=form.cleaned_data["step"] or None,
            )
            messages.success(request, _("已保存评审意见。"))
            return redirect("projects:nomination", row.pk)
        if refused.error is not None:
            status = refused.error.status
            row = selectors.nomination_get(actor=request.user, nomination_id=nomination_id)
            can_review = services.can_review_at(request.user, row)
    elif request.method == "POST":
        status = 422
    evidence = [(c.label, row.evidence.get(c.code, "")) for c in rules.CRITERIA]
    return render(
        request,
        "projects/happy/nomination.html",
        {
            "row": row,
            "project": row.project,
            "evidence": evidence,
            "trail": _trail(row),
            "can_review": can_review or (request.method == "POST" and form.errors),
            "can_revoke": services.can_revoke(request.user, row),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def nomination_revoke(request: HttpRequest, nomination_id: int) -> HttpResponse:
    """撤销命名: the naming level takes a family's title back, with a reason (refusals come back as messages)."""
    row = selectors.nomination_get(actor=request.user, nomination_id=nomination_id)
    with message_errors(request):
        services.nomination_revoke(actor=request.user, nomination=row, reason=request.POST.get("reason", ""))
        messages.success(request, _("已撤销命名，门户网站不再公开这户家庭。"))
    return redirect("projects:nomination", row.pk)
