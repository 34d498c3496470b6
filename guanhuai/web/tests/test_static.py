"""Static files as a deployment serves them (issue 16): collected, with hashed names, compressed, cached
for a year. The suite itself renders with plain names (no collectstatic per run); this test renders a page
with the deployed storage after a collectstatic into a temporary folder."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": settings.GUANHUAI_STATIC_STORAGE}
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return Client()  # a new handler, so WhiteNoise reads the new STATIC_ROOT


@pytest.mark.django_db
def test_a_page_links_hashed_files_served_compressed_with_far_future_caching(collected):
    html = collected.get(reverse("accounts:login")).content.decode()
    css = re.search(r'href="(/static/vendor/bootstrap\.min\.[0-9a-f]{12}\.css)"', html)
    assert css, "the page links the hashed name"
    assert re.search(r'src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js"', html)

    response = collected.get(css.group(1), headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]

    # a file asked for by its plain name is still served, but not cached for a year
    plain = collected.get("/static/guanhuai/site.css")
    assert plain.status_code == 200 and "immutable" not in plain["Cache-Control"]
