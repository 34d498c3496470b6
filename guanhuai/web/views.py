from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanhuai.accounts.selectors import own_assignment_list
from guanhuai.jobs.selectors import job_list
from guanhuai.orgs.selectors import top_units


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = own_assignment_list(actor=request.user).active()
    return render(
        request,
        "web/home.html",
        {
            "assignments": assignments,
            "units": top_units(actor=request.user)[:20],
            "recent_jobs": job_list(actor=request.user)[:5],
        },
    )
