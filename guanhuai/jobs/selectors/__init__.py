from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.core.errors import NotFound
from guanhuai.jobs.models import Job
from guanhuai.jobs.permissions import VIEW_JOBS


def job_list(*, actor: Actor, kind: str = "", status: str = "") -> QuerySet[Job]:
    """The actor's own jobs, plus every job in branches where they hold jobs.view_jobs."""
    if not getattr(actor, "is_authenticated", False):
        return Job.objects.none()
    if scoping.root_paths(actor, VIEW_JOBS) is None:
        qs = scoping.mark_scoped(Job.objects.all())  # a superuser's scope is everything
    else:
        qs = scoping.mark_scoped(
            Job.objects.filter(Q(actor=actor) | scoping.path_q(actor, VIEW_JOBS, path_field="org_unit__path"))
        )
    return _filtered(qs, kind=kind, status=status)


def job_get(*, actor: Actor, job_id: Any) -> Job:
    try:
        return job_list(actor=actor).get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该任务，或您无权访问。"))


def job_list_operator(*, kind: str = "", status: str = "") -> QuerySet[Job]:
    """Every job, for the operator's CLI (`guanhuai job …`): whoever runs it already holds shell and
    database access, so scoping would protect nothing. Pass `--user` to the CLI to see a user's view."""
    return _filtered(Job.objects.unscoped("the operator's console sees every job"), kind=kind, status=status)


def _filtered(qs: QuerySet[Job], *, kind: str, status: str) -> QuerySet[Job]:
    """The list's filters and what its rows show, the same for a user's jobs and the operator's."""
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("actor", "org_unit")


def job_get_operator(*, job_id: Any) -> Job:
    try:
        return job_list_operator().get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该任务。"))
