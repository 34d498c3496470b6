from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; the worker's state is reported, not fatal, since jobs queue up
    safely while it restarts."""
    body: dict[str, object] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:
        body["status"] = "error"
        body["database"] = {"status": "error", "error": exc.__class__.__name__}
        return JsonResponse(body, status=503)
    body["worker"] = worker_status()
    return JsonResponse(body)


def worker_status() -> dict[str, object]:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if not backend.endswith("DatabaseBackend"):
        return {"status": "inline", "backend": backend}
    from django_tasks_db.models import DBTaskResult

    from guanhuai.jobs.models import WorkerHeartbeat
    from guanhuai.jobs.services import STALE_SECONDS

    fresh_after = timezone.now() - dt.timedelta(seconds=STALE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=fresh_after).count()
    queued = DBTaskResult.objects.filter(status="READY").count()
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return {
        "status": "ok" if alive else "down",
        "workers": alive,
        "queued_tasks": queued,
        "last_seen": last.isoformat() if last else None,
    }
