"""django-axes, minus the work a successful login does not need.

On every successful login axes deletes the expired attempts of everybody and the attempts of this user.
Each delete first selects the rows and then, even when there are none, opens a write transaction (axes
listens to post_delete, so Django cannot delete in one statement). On SQLite an empty write transaction
still waits its turn behind the single writer. When the attempts table is empty, which is the normal case,
both are skipped after one `EXISTS`; otherwise axes does exactly what it always does.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.http import HttpRequest

_ATTEMPTS = "_guanhuai_axes_attempts_exist"


def _attempts_exist(request: HttpRequest | None) -> bool:
    if request is None:
        return AccessAttempt.objects.exists()
    known = getattr(request, _ATTEMPTS, None)
    if known is None:
        known = AccessAttempt.objects.exists()
        setattr(request, _ATTEMPTS, known)
    return known


class LoginAttemptHandler(AxesDatabaseHandler):
    def clean_expired_user_attempts(self, request: Any = None, credentials: Any = None) -> int:
        if not _attempts_exist(request):
            return 0
        return super().clean_expired_user_attempts(request, credentials)

    def reset_user_attempts(self, request: Any, credentials: Any = None) -> int:
        if not _attempts_exist(request):
            return 0
        return super().reset_user_attempts(request, credentials)
