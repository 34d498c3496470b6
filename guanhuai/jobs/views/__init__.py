"""Job pages: a list, a detail page with a live progress panel (htmx polls it every second until the job
finishes), a retry button and downloads that check access like every other read."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts.actor import Actor
from guanhuai.core.web import message_errors, page_of
from guanhuai.jobs import registry, selectors, services
from guanhuai.jobs.forms import JobFilterForm
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus

PAGE_SIZE = 25

# Labels for the counters handlers commonly keep; any other key is shown as it is.
COUNT_LABELS = {
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "skipped": gettext_lazy("跳过"),
    "failed": gettext_lazy("失败"),
    "errors": gettext_lazy("出错"),
    "rows": gettext_lazy("行数"),
    "counted": gettext_lazy("已计数"),
    "valid": gettext_lazy("有效"),
    "households": gettext_lazy("户数"),
    "persons": gettext_lazy("人数"),
}

STATUS_BADGES = {
    JobStatus.QUEUED: "text-bg-secondary",
    JobStatus.RUNNING: "text-bg-primary",
    JobStatus.SUCCEEDED: "text-bg-success",
    JobStatus.FAILED: "text-bg-danger",
}


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    return selectors.job_get(actor=request.user, job_id=pk)


def _decorate(job: Job) -> Job:
    job.kind_label = registry.label(job.kind)  # type: ignore[attr-defined]
    job.badge = STATUS_BADGES.get(JobStatus(job.status), "text-bg-secondary")  # type: ignore[attr-defined]
    return job


def _panel_context(job: Job, actor: Actor) -> dict[str, object]:
    _decorate(job)
    return {
        "job": job,
        "can_retry": services.job_may_retry(actor=actor, job=job),
        "counts": [(COUNT_LABELS.get(key, key), value) for key, value in sorted(job.counts.items())],
    }


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    form = JobFilterForm(request.GET)
    page = page_of(request, selectors.job_list(actor=request.user, **form.filters()), size=PAGE_SIZE)
    for job in page.object_list:
        _decorate(job)
    return render(request, "jobs/job_list.html", {"form": form, "page": page})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    return render(request, "jobs/job_detail.html", _panel_context(job, request.user))


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live panel alone, for htmx polling. Once the job is finished the panel carries no trigger, so
    the browser stops asking."""
    job = _job_or_404(request, pk)
    return render(request, "jobs/_progress.html", _panel_context(job, request.user))


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    with message_errors(request):
        services.job_retry(actor=request.user, job=job)
        messages.success(request, _("任务已重新排队，将从上次中断处继续。"))
    return redirect("jobs:detail", pk=job.pk)


def _download(request: HttpRequest, pk: int, which: str) -> FileResponse:
    job = _job_or_404(request, pk)
    handle = services.job_file_open(actor=request.user, job=job, which=which)
    name = os.path.basename(handle.name)
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
@require_GET
def job_result_file(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "result")


@login_required
@require_GET
def job_input_file(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "input")
