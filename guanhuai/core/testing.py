"""Helpers the tests of every app share, so that no test module imports another (web/tests/test_layers.py
checks that). App-specific builders live in each app's `tests/factories.py`; what is here knows no app.

- `assert_queries_flat(fetch, grow, …)`: a list page or list endpoint is fetched small, then after `grow()`
  adds rows; the large one must show more rows with no more queries, so an N+1 fails whatever the data
  size (a fixed ceiling alone passes an N+1 on a small page).
- `xlsx_bytes(rows, headers)`: an Excel file built in memory, for upload tests.
- `python_sources(root)`: the Python files of a tree, for the tests that read the code itself (layers,
  one door for money and audit), without the `*.html.py` files `makemessages` writes beside templates for
  a moment while another test runs it.
- `race(n, call, hold=)`, `outcomes(results)`, `fresh(obj)`: real threads, each on its own PostgreSQL
  connection, meeting inside a service at once (the concurrency tests of funds and programmes).
- `page_width(page)`: how wide a browser page's document is, once the page has loaded (the phone tests
  check that nothing scrolls sideways; asked while a click's navigation is under way, the document may
  not exist yet)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

__all__ = [
    "assert_queries_flat",
    "fresh",
    "lock",
    "outcomes",
    "page_width",
    "python_sources",
    "race",
    "rows_shown",
    "xlsx_bytes",
]

M = TypeVar("M", bound=Model)


# --- browser pages ----------------------------------------------------------------------------------------


def page_width(page: Any) -> int:
    """The scroll width of a Playwright page's document, read once the page has loaded and has a body.

    One `wait_for_function`, which Playwright polls again in the new document when a navigation replaces
    the old one, where a separate `evaluate` could land in a document not yet built."""
    page.wait_for_load_state()
    width = page.wait_for_function(
        "document.readyState !== 'loading' && document.body !== null && document.documentElement.scrollWidth"
    )
    return int(width.json_value())


# --- the code itself -------------------------------------------------------------------------------------


def python_sources(root: Path) -> list[Path]:
    """The `.py` files under `root`, sorted. A template's `makemessages` temporary (`list.html.py`, written
    and deleted while the catalogue test extracts strings) is not source and may vanish mid-read."""
    return sorted(path for path in root.rglob("*.py") if "." not in path.stem)


# --- query counts -----------------------------------------------------------------------------------------


def rows_shown(response: HttpResponse, row: str = "<tr") -> int:
    """How many rows a list shows: the items of a JSON page, else how often `row` stands in an HTML page
    (by default its table rows, the header row included)."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(response.content)
        return len(data["items"] if isinstance(data, dict) else data)
    return response.content.decode().count(row)


def _counted(fetch: Callable[[], HttpResponse]) -> tuple[int, HttpResponse]:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return len(ctx.captured_queries), response


def assert_queries_flat(
    fetch: Callable[[], HttpResponse],
    grow: Callable[[], Any],
    *,
    most: int,
    row: str = "<tr",
    shown: Callable[[HttpResponse], int] | None = None,
) -> tuple[int, int]:
    """Fetch a list (after one warm-up call, which fills the per-process caches that do not depend on the
        data), `grow()` its rows, and fetch it again. The large list must show more rows than the small one
        (`rows_shown`; `row` is what marks a row of an HTML list that is not a table) in no more queries, else
        the test could not see an N+1; and the small one takes at most `most` queries. A page that shows counts
    rather than rows passes `shown`, which reads from a response how much it shows. Returns both counts."""
    fetch()
    small, small_response = _counted(fetch)
    grow()
    large, large_response = _counted(fetch)
    count = shown or (lambda response: rows_shown(response, row))
    before, after = count(small_response), count(large_response)
    assert after > before, f"grow() added no row to the list ({before} rows before, {after} after)"
    assert large <= small, f"{large} queries for {after} rows, {small} for {before}: one per row somewhere"
    assert small <= most, f"{small} queries for a small list, more than the {most} expected"
    return small, large


# --- files ------------------------------------------------------------------------------------------------


def xlsx_bytes(rows: Iterable[Sequence[Any]], headers: Sequence[Any] | None = None) -> bytes:
    """One sheet: the header row (if any), then `rows`, as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- races (PostgreSQL) -----------------------------------------------------------------------------------


def race(n: int, call: Callable[[int], Any], *, hold: Callable[[], None] | None = None) -> list[Any]:
    """Run `call(i)` in `n` threads at once; each result is the return value or the exception.

    `hold`, if given, runs in the main thread inside a transaction before the threads start, locking the
    contended rows; they are released once all `n` threads wait on a lock (or one has already finished,
    or 30 s have passed: the outcome must hold in any order, the wait only makes the overlap certain)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    done = threading.Event()

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call(i)
        except Exception as exc:  # the loser's refusal is a result too
            results[i] = exc
        finally:
            done.set()
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    try:
        with _held(hold):
            for t in threads:
                t.start()
            if hold is not None:
                _wait_for_lock_waiters(n, done)
    finally:
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still running: deadlock?"
    return results


@contextmanager
def _held(hold: Callable[[], None] | None) -> Iterator[None]:
    if hold is None:
        yield
        return
    with transaction.atomic():
        hold()
        yield


def _wait_for_lock_waiters(n: int, done: threading.Event, timeout: float = 30) -> None:
    """Until `n` other backends of this database wait for a lock (they queue behind our row lock)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done.is_set():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT pid) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE NOT l.granted AND a.datname = current_database() AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
            if row is not None and row[0] >= n:
                return
        time.sleep(0.02)


def fresh(obj: M) -> M:
    """The row as a thread's own object (scoping caches on the user instance, for one)."""
    return type(obj)._default_manager.get(pk=obj.pk)


def outcomes(results: list[Any]) -> tuple[list[Any], list[Exception]]:
    """The results of `race`, split into successes and refusals."""
    errors = [r for r in results if isinstance(r, Exception)]
    return [r for r in results if not isinstance(r, Exception)], errors


def lock(*rows: Model) -> Callable[[], None]:
    """A `hold` for `race`: lock these rows (of one model) for update."""
    model = type(rows[0])

    def hold() -> None:
        list(model._default_manager.select_for_update().filter(pk__in=[r.pk for r in rows]))

    return hold
