import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo stores the scanned documents of its applications: keep them out of var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
