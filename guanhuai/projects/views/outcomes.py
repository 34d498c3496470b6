"""Pages of what projects did: logging an activity (phone first, with a photo), and the province's outcome
report with its coverage table by city and its Excel export. Thin, on the core/web.py kit; every figure
comes from `selectors.outcomes`."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, post_data
from guanhuai.projects import selectors, services
from guanhuai.projects.forms.outcomes import ActivityForm
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def activity_log(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    units = selectors.activity_places(actor=request.user, project=project)
    if not units:  # no place of the project's area where this person logs activities
        scoping.require(request.user, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    form = ActivityForm(
        post_data(request),
        request.FILES or None,
        project=project,
        units=units,
        initial={"held_on": timezone.localdate(), "venue_unit": str(units[0].pk) if units else ""},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(
            form,
            activity_outside_dates="held_on",
            venue_outside_area="venue_unit",
            venue_name_required="venue_name",
            count_format="participants",
            count_negative="participants",
            participants_mismatch="participants",
            respondents_mismatch="respondents",
            respondents_required="respondents",
            score_format="knowledge_pre",
            score_range="knowledge_pre",
            default="photo",
        ):
            services.activity_log(actor=request.user, project=project, **form.service_kwargs())
            messages.success(request, _("已登记活动。"))
            return redirect(reverse("projects:detail", args=[pk]) + "#activities")
    return render(
        request,
        "projects/activity_form.html",
        {"form": form, "project": project, "back": reverse("projects:detail", args=[pk])},
    )


ALL_YEARS = "all"


def _filters(request: HttpRequest) -> tuple[int | None, str]:
    """The year and type asked for. `year=all` is every year; no year (or one that is not a year) is the
    latest year with activities the actor may see (`selectors.default_year`), so the page opens on the
    figures a branch reports, not on a scan of every year."""
    type_code = request.GET.get("type", "")[:40]
    raw = request.GET.get("year", "").strip()
    if raw == ALL_YEARS:
        return None, type_code
    if raw.isdigit() and 1990 <= int(raw) <= 2100:
        return int(raw), type_code
    return selectors.default_year(actor=request.user, type_code=type_code), type_code


def _query(year: int | None, type_code: str) -> str:
    return urlencode({"year": year or ALL_YEARS, "type": type_code})


@login_required
@require_GET
def outcome_report(request: HttpRequest) -> HttpResponse:
    """The province (or any branch's) outcome report: totals, by venue kind, by year, the coverage table by
    city, and the income gain, for one year (or every year) and one type."""
    scoping.require_anywhere(request.user, VIEW)
    year, type_code = _filters(request)
    return render(
        request,
        "projects/outcomes.html",
        {
            "report": selectors.outcome_report(actor=request.user, year=year, type_code=type_code),
            "types": selectors.type_list(),
            "years": sorted(
                {*selectors.report_years(actor=request.user, type_code=type_code), *([year] if year else [])},
                reverse=True,
            ),
            "year": year,
            "all_years": ALL_YEARS,
            "type_code": type_code,
            "query": _query(year, type_code),
        },
    )


@login_required
@require_GET
def outcome_export(request: HttpRequest) -> HttpResponse:
    """The same report as Excel (aggregates only: no household, no person)."""
    scoping.require_anywhere(request.user, VIEW)
    year, type_code = _filters(request)
    out = io.BytesIO()
    selectors.outcome_workbook(
        selectors.outcome_report(actor=request.user, year=year, type_code=type_code), out
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="project-outcomes-{year or "all"}.xlsx"'
    return response
