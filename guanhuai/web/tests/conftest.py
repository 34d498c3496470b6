from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def live_demo(transactional_db, django_capture_on_commit_callbacks, settings, tmp_path):
    """The small demo for browser tests against a live server (a transactional database). The spending
    purposes are seeded again first: they come from a data migration, and an earlier transactional test
    flushed them."""
    from guanhuai.funds.models import Purpose

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.GUANHUAI_RATE_LIMITS_ENABLED = False
    for code, name, status in import_module("guanhuai.funds.migrations.0002_purposes").PURPOSES:
        Purpose.objects.update_or_create(code=code, defaults={"name": name, "requires_status": status})
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--small", "--no-job", verbosity=0, stdout=StringIO())
