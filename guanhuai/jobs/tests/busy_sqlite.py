"""A test helper: run a job on a real SQLite file in WAL mode while another connection keeps committing.

This is the embedded default under load: page views and the worker's heartbeat commit all the time, and a
job that reads with `.iterator()` and writes its progress on the same connection in the middle of that read
gets "database is locked" at once (SQLite refuses to upgrade a read snapshot that another connection has
overtaken; the busy timeout does not apply). The in-memory test database cannot show this, so
`busy_sqlite_file` copies it into a WAL file for the duration of the block and points the default connection
(and every thread's) at it. On PostgreSQL it only runs the writer: the test still proves the job succeeds
beside a concurrent writer.

Use it with `transactional_db`: the job must run in autocommit, as it does in the worker.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.utils import timezone


@contextlib.contextmanager
def _file_database(path: Path) -> Iterator[None]:
    connection.ensure_connection()
    memory = connection.connection
    with contextlib.closing(sqlite3.connect(path)) as target:
        memory.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    settings = connection.settings_dict  # shared by every thread's connection to this alias
    name = settings["NAME"]
    settings["NAME"] = str(path)
    connection.connection = None  # the next query opens the file (with the WAL init_command)
    try:
        yield
    finally:
        connection.close()
        settings["NAME"] = name
        connection.connection = memory


class _Writer(threading.Thread):
    """Commits a session row again and again, as page views did before sessions stopped writing on GET."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.commits = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                Session.objects.update_or_create(
                    session_key="busy-writer",
                    defaults={"session_data": str(self.commits), "expire_date": timezone.now()},
                )
                self.commits += 1
                time.sleep(0.0005)
        except BaseException as exc:  # reported by the main thread
            self.error = exc
        finally:
            connections["default"].close()


@contextlib.contextmanager
def busy_sqlite_file(tmp_path: Path) -> Iterator[_Writer]:
    """Run the block on a SQLite WAL file (on SQLite) while a thread commits continuously."""
    database = _file_database(tmp_path / "busy.sqlite3") if connection.vendor == "sqlite" else None
    with database or contextlib.nullcontext():
        writer = _Writer()
        writer.start()
        try:
            while writer.commits < 3 and writer.error is None:  # the writer is really going
                time.sleep(0.001)
            yield writer
        finally:
            writer.stop.set()
            writer.join()
        assert writer.error is None, writer.error
        assert writer.commits > 3
