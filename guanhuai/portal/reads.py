"""Read counts and the site's visit counter, as DHIS2 counts them: every read is an append-only event,
once per visitor per article per day (a visit: once per visitor per site per day); a job rolls past days
into daily counters; a page shows the rolled count plus today's events.

- A reload storm adds nothing: the first read of the day inserts a row, the others meet the cache's
  "already seen" key (no query) or, when the cache was lost, the unique constraint (`ON CONFLICT DO
  NOTHING` / `INSERT OR IGNORE`).
- No address is stored unmasked: the visitor is our own cookie or a keyed hash (`portal.public`), and
  the address is kept as `203.0.113.*` / `2001:db8:85a3:*`.
- With `GUANHUAI_PORTAL_READ_BUFFER` > 0 (production), a read touches neither the cache nor the database:
  each web worker keeps the day's first reads in memory (a set of what it has seen today drops a reload
  storm) and writes them in one batch when the buffer is full, when its oldest read is
  `GUANHUAI_PORTAL_READ_FLUSH_SECONDS` old (a timer, also for a worker that gets no more requests), when
  the day changes, and when the worker exits. Two workers that both saw a visitor's first read meet the
  unique constraint at the flush, so a read still counts once. A worker killed outright loses at most its
  buffer (a few seconds of reads).
- `rollup(day)` is idempotent: it replaces the day's counters with a fresh count of that day's events, so
  a job that ran twice, or resumed, counts once.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from guanhuai.core.masking import mask_ip
from guanhuai.core.scopes import unscoped
from guanhuai.portal.models import Article, ReadDaily, ReadEvent, Site

SEEN_SECONDS = 26 * 3600

logger = logging.getLogger(__name__)


def record(request: HttpRequest, *, site_id: int, article_id: int | None, visitor: str) -> None:
    """Count the visit to the site and, on an article's page, the read of the article."""
    now = timezone.now()
    day = timezone.localdate(now)
    buffered = settings.GUANHUAI_PORTAL_READ_BUFFER > 0
    rows = []
    for target in [None, article_id] if article_id else [None]:
        key = f"portal:seen:{site_id}:{target or 0}:{visitor}:{day:%Y%m%d}"
        if _BUFFER.first_today(key, day) if buffered else cache.add(key, 1, SEEN_SECONDS):
            rows.append(
                ReadEvent(
                    site_id=site_id,
                    article_id=target,
                    visitor=visitor,
                    day=day,
                    at=now,
                    ip_masked=mask_ip(request.META.get("REMOTE_ADDR", "")),
                )
            )
    if rows and buffered:
        _BUFFER.add(rows, day)
    elif rows:
        ReadEvent.objects.bulk_create(rows, ignore_conflicts=True)


class _ReadBuffer:
    """This worker's reads not written yet, and what it has seen today. Thread-safe (threaded workers)."""

    SEEN_MAX = 200_000  # past this many keys the set starts again: the unique constraints still hold

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[ReadEvent] = []
        self.seen: set[str] = set()
        self.day: dt.date | None = None  # the day of the rows in the buffer
        self.seen_day: dt.date | None = None  # the day of the keys in `seen`
        self.oldest = 0.0
        self.timer: threading.Timer | None = None

    def first_today(self, key: str, day: dt.date) -> bool:
        with self.lock:
            if day != self.seen_day or len(self.seen) >= self.SEEN_MAX:
                self.seen, self.seen_day = set(), day
            if key in self.seen:
                return False
            self.seen.add(key)
            return True

    def add(self, rows: list[ReadEvent], day: dt.date) -> None:
        with self.lock:
            new_day = bool(self.rows) and day != self.day
            self.day = day
            if not self.rows:
                self.oldest = time.monotonic()
                self._arm()
            self.rows.extend(rows)
            due = (
                new_day
                or len(self.rows) >= settings.GUANHUAI_PORTAL_READ_BUFFER
                or time.monotonic() - self.oldest >= settings.GUANHUAI_PORTAL_READ_FLUSH_SECONDS
            )
        if due:
            self.flush()

    def _arm(self) -> None:
        """A timer writes the buffer even if this worker gets no further request (called under the lock)."""
        if self.timer is None:
            self.timer = threading.Timer(settings.GUANHUAI_PORTAL_READ_FLUSH_SECONDS, self._timed_flush)
            self.timer.daemon = True
            self.timer.start()

    def _timed_flush(self) -> None:
        try:
            self.flush()
        finally:
            connection.close()  # the timer thread's own connection

    def flush(self) -> int:
        with self.lock:
            rows, self.rows = self.rows, []
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
        if rows:
            ReadEvent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        return len(rows)


_BUFFER = _ReadBuffer()


def flush() -> int:
    """Write this worker's buffered reads now (one batch insert). Returns how many rows were written or
    met the unique constraint."""
    return _BUFFER.flush()


@atexit.register
def _flush_at_exit() -> None:
    if pending := len(_BUFFER.rows):
        try:
            _BUFFER.flush()
        except DatabaseError:  # the database went first (a scratch one): the reads are lost, say so
            logger.warning("portal: %d buffered reads could not be written at exit", pending)


def rollup(day: dt.date) -> int:
    """Count `day`'s events into `ReadDaily`, replacing what an earlier run wrote for that day. Returns the
    number of counters written. Set-based: one GROUP BY, one DELETE and one bulk insert."""
    flush()  # this process's buffered reads, if it serves pages too
    with unscoped("read counts are rolled up for every site at once"), transaction.atomic():
        per_article = (
            ReadEvent.objects.filter(day=day, article__isnull=False)
            .values("site_id", "article_id", "article__column_id")
            .annotate(n=Count("pk"))
        )
        per_site = (
            ReadEvent.objects.filter(day=day, article__isnull=True).values("site_id").annotate(n=Count("pk"))
        )
        rows = [
            ReadDaily(
                site_id=r["site_id"],
                article_id=r["article_id"],
                column_id=r["article__column_id"],
                day=day,
                reads=r["n"],
            )
            for r in per_article
        ] + [ReadDaily(site_id=r["site_id"], article_id=None, day=day, reads=r["n"]) for r in per_site]
        ReadDaily.objects.filter(day=day).delete()
        ReadDaily.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _rolled_through(site_id: int) -> dt.date | None:
    """The last day the job rolled up for the site: events after it are counted live."""
    return ReadDaily.objects.filter(site_id=site_id).order_by("-day").values_list("day", flat=True).first()


def _live(qs: QuerySet[ReadEvent], site_id: int) -> QuerySet[ReadEvent]:
    through = _rolled_through(site_id)
    return qs.filter(day__gt=through) if through else qs


def article_reads(article: Article) -> int:
    """Rolled-up reads plus the events not rolled up yet (today's, and any day the job has not reached)."""
    rolled = ReadDaily.objects.filter(article=article).aggregate(n=Sum("reads"))["n"] or 0
    return rolled + _live(ReadEvent.objects.filter(article=article), article.site_id).count()


def articles_reads(site: Site, article_ids: list[int]) -> dict[int, int]:
    """The same for a page of articles, in three queries."""
    counts: dict[int, int] = dict.fromkeys(article_ids, 0)
    for row in (
        ReadDaily.objects.filter(article_id__in=article_ids).values("article_id").annotate(n=Sum("reads"))
    ):
        counts[row["article_id"]] += row["n"]
    live = _live(ReadEvent.objects.filter(article_id__in=article_ids), site.pk)
    for row in live.values("article_id").annotate(n=Count("pk")):
        counts[row["article_id"]] += row["n"]
    return counts


def site_visits(site: Site) -> int:
    """The site-wide visit counter (访问统计): visitors per day, summed."""
    rolled = ReadDaily.objects.filter(site=site, article__isnull=True).aggregate(n=Sum("reads"))["n"] or 0
    return rolled + _live(ReadEvent.objects.filter(site=site, article__isnull=True), site.pk).count()
