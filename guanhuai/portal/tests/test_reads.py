"""Read counts as readers and editors notice them: a reload storm counts once, a second reader counts
again, the next day counts again; the roll-up job moves past days into counters without changing the
figure; no address is stored whole; the footer's visit counter counts visitors per day."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from guanhuai.jobs.models import Job
from guanhuai.portal import reads
from guanhuai.portal.models import ReadDaily, ReadEvent
from guanhuai.portal.services import reads_rollup_submit
from guanhuai.portal.tests.factories import ArticleFactory


def shown_reads(response) -> int:
    return int(re.search(r'class="gk-reads">(\d+)<', response.content.decode()).group(1))


@pytest.fixture
def article(portal):
    return ArticleFactory(column=portal.news, title="阅读计数的文章")


def test_a_reload_storm_counts_one_read(client, portal, article):
    url = f"/gk/gd/a/{article.code}/"
    for _ in range(30):
        client.get(url, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0")
    assert ReadEvent.objects.filter(article=article).count() == 1
    assert reads.article_reads(article) == 1


def test_the_database_still_counts_once_when_the_cache_forgets(client, portal, article):
    url = f"/gk/gd/a/{article.code}/"
    client.get(url, HTTP_USER_AGENT="Mozilla/5.0")
    cache.clear()
    client.get(url, HTTP_USER_AGENT="Mozilla/5.0")
    assert ReadEvent.objects.filter(article=article).count() == 1


def test_a_client_refusing_cookies_is_still_one_visitor_a_day(portal, article):
    from django.test import Client

    for _ in range(5):
        Client().get(f"/gk/gd/a/{article.code}/", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="curl/8")
    assert ReadEvent.objects.filter(article=article).count() == 1


def test_two_readers_count_two_and_the_second_sees_the_first(client, portal, article):
    from django.test import Client

    client.get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="A")
    cache.clear()  # the page cache: the second reader sees a fresh count
    second = Client().get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="B")
    assert shown_reads(second) == 1
    assert reads.article_reads(article) == 2


def test_no_address_is_stored_whole(client, portal, article):
    client.get(f"/gk/gd/a/{article.code}/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="A")
    client.get("/gk/gd/", REMOTE_ADDR="2001:db8:85a3::8a2e:370:7334", HTTP_USER_AGENT="B")
    stored = set(ReadEvent.objects.values_list("ip_masked", flat=True))
    assert "203.0.113.*" in stored
    assert all("203.0.113.9" not in s and "7334" not in s for s in stored)
    assert all(len(v) == 32 for v in ReadEvent.objects.values_list("visitor", flat=True))


def test_the_roll_up_job_keeps_the_figure_and_is_idempotent(
    portal, article, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    old = [today - dt.timedelta(days=d) for d in (3, 2, 1)]
    for i, day in enumerate(old):
        for v in range(i + 1):
            ReadEvent.objects.create(
                site=portal.site, article=article, visitor=f"{v:032x}", day=day, at=timezone.now()
            )
    ReadEvent.objects.create(
        site=portal.site, article=article, visitor="f" * 32, day=today, at=timezone.now()
    )
    before = reads.article_reads(article)
    assert before == 1 + 2 + 3 + 1

    with django_capture_on_commit_callbacks(execute=True):
        job, created = reads_rollup_submit(actor=portal.editor)
    job.refresh_from_db()
    assert created and job.status == "succeeded", job.error
    assert job.counts["days"] == 3
    assert sorted(ReadDaily.objects.filter(article=article).values_list("reads", flat=True)) == [1, 2, 3]
    assert reads.article_reads(article) == before

    # the same day again: the same job, nothing queued twice
    again, created_again = reads_rollup_submit(actor=portal.editor)
    assert not created_again and again.pk == job.pk
    assert reads.rollup(old[0]) == 1  # a re-run of a day replaces its counters
    assert reads.article_reads(article) == before
    assert Job.objects.filter(kind="portal.rollup_reads").count() == 1


def test_the_footer_counts_visitors_per_day(client, portal, article):
    from django.test import Client

    client.get("/gk/gd/", HTTP_USER_AGENT="A")
    client.get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="A")
    Client().get("/gk/gd/c/xhdt/", HTTP_USER_AGENT="B")
    assert reads.site_visits(portal.site) == 2
    cache.clear()
    html = client.get("/gk/gd/c/zwgk/").content.decode()
    assert re.search(r'class="gk-visit-count">2<', html)


# --- production: first reads buffered in the worker and written in batches ---------------------------------


@pytest.fixture
def buffered(settings, monkeypatch):
    """Reads buffered as in production; a fresh buffer, as a newly started worker has."""
    settings.GUANHUAI_PORTAL_READ_BUFFER = 50
    settings.GUANHUAI_PORTAL_READ_FLUSH_SECONDS = 3600
    monkeypatch.setattr(reads, "_BUFFER", reads._ReadBuffer())
    yield
    reads._BUFFER.flush()


def test_buffered_reads_are_written_in_one_batch_and_still_count_once(
    client, portal, article, buffered, django_assert_num_queries
):
    from django.test import Client

    url = f"/gk/gd/a/{article.code}/"
    for _ in range(20):  # a reload storm
        client.get(url, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="A")
    Client().get(url, REMOTE_ADDR="203.0.113.10", HTTP_USER_AGENT="B")
    # nothing written yet, and the read counting asked nothing of the shared cache
    assert not ReadEvent.objects.exists()
    assert not any("portal:seen" in str(k) for k in getattr(cache, "_cache", {}))

    with django_assert_num_queries(1):
        written = reads.flush()
    assert written == 4  # two visitors: a visit and a read each
    assert reads.article_reads(article) == 2
    assert reads.site_visits(portal.site) == 2
    assert set(ReadEvent.objects.values_list("ip_masked", flat=True)) == {"203.0.113.*"}


def test_a_full_buffer_writes_itself(portal, article, buffered, settings):
    from django.test import Client

    settings.GUANHUAI_PORTAL_READ_BUFFER = 3
    Client().get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="A")
    assert not ReadEvent.objects.exists()  # two rows: below the bound
    Client().get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="B")
    assert ReadEvent.objects.count() == 4
    assert reads.flush() == 0


def test_two_workers_that_both_saw_a_first_read_write_it_once(client, portal, article, buffered, monkeypatch):
    url = f"/gk/gd/a/{article.code}/"
    client.get(url, HTTP_USER_AGENT="A")
    reads.flush()
    monkeypatch.setattr(reads, "_BUFFER", reads._ReadBuffer())  # the next request lands on another worker
    client.get(url, HTTP_USER_AGENT="A")
    assert reads.flush() == 2  # offered again, and met the unique constraints
    assert ReadEvent.objects.count() == 2
    assert reads.article_reads(article) == 1


def test_the_roll_up_writes_the_buffer_first(portal, article, buffered):
    from django.test import Client

    Client().get(f"/gk/gd/a/{article.code}/", HTTP_USER_AGENT="A")
    assert reads.rollup(timezone.localdate()) == 2  # the read and the visit, counted
    assert reads.article_reads(article) == 1
