"""The home page: the signed-in person's own work queue, built from what each app registers in its
`work.py` (core/work.py). An item the person's permissions do not cover is not on the page at all."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from guanhuai.accounts.selectors import own_assignment_list
from guanhuai.core import work
from guanhuai.jobs.selectors import job_list


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    items = work.items_for(request.user)
    groups = [(str(g), list(rows)) for g, rows in groupby(items, key=lambda i: str(i.group))]
    return render(
        request,
        "web/home.html",
        {
            "groups": groups,
            "total": sum(i.count for i in items),
            "assignments": own_assignment_list(actor=request.user).active().select_related("org_unit"),
            "recent_jobs": job_list(actor=request.user)[:5],
        },
    )
