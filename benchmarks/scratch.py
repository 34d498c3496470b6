"""Run a benchmark in a scratch database, never the user's.

`guanhuai bench <name>` (the parent) re-executes itself in a child process whose `DATABASE_URL` points at
a scratch database: a fresh SQLite file in a temporary directory, or a PostgreSQL database that the parent
creates for the run and drops afterwards. The child refuses to run unless the environment says it is a
scratch child *and* its configured database is that scratch database, and it refuses a database that
already holds branches or users. So a mistyped `--database-url` cannot write into real data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.conf import settings

SCRATCH_ENV = "GUANHUAI_BENCH_SCRATCH"  # the scratch DATABASE_URL; its presence marks the child
OPTIONS_ENV = "GUANHUAI_BENCH_OPTIONS"  # the parent's parsed options, as JSON


class ScratchError(Exception):
    pass


def is_child() -> bool:
    return bool(os.environ.get(SCRATCH_ENV))


def child_options() -> dict[str, Any]:
    return json.loads(os.environ.get(OPTIONS_ENV) or "{}")


def _same_database(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)


def check_child_database() -> None:
    """In the child: the configured database must be exactly the scratch database the parent chose."""
    url = os.environ.get(SCRATCH_ENV, "")
    if not url or os.environ.get("DATABASE_URL") != url:
        raise ScratchError("not a benchmark child: DATABASE_URL is not the scratch database")
    if not _same_database(settings.DATABASES["default"], dj_database_url.parse(url)):
        raise ScratchError("the configured database is not the scratch database")


def check_empty() -> None:
    """After `migrate` in the child: a scratch database holds no branches and no users."""
    from guanhuai.accounts.models import User
    from guanhuai.orgs.models import OrgUnit

    if OrgUnit.objects.exists() or User.objects.exists():
        raise ScratchError("the scratch database is not empty; give a new, empty database")


@contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """Yield the URL of an empty scratch database, and remove it afterwards.

    No URL: a SQLite file in a temporary directory. A PostgreSQL URL: that database is created here (it
    must not exist yet) and dropped at the end, so the run can never touch an existing database."""
    if not database_url:
        with tempfile.TemporaryDirectory(prefix="guanhuai-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    config = dj_database_url.parse(database_url)
    if _same_database(config, settings.DATABASES["default"]):
        raise ScratchError("--database-url is this installation's own database; give a scratch database")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if os.path.exists(config["NAME"]):
            raise ScratchError(f"{config['NAME']} already exists; give a path to a new file")
        try:
            yield database_url
        finally:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(config["NAME"] + suffix):
                    os.remove(config["NAME"] + suffix)
        return
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ScratchError(f"unsupported database engine {config['ENGINE']}")
    with _postgres_database(database_url, config["NAME"]):
        yield database_url


@contextmanager
def _postgres_database(url: str, name: str) -> Iterator[None]:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise ScratchError(f"database {name} already exists; give the name of a database to create")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_child(bench: str, options: dict[str, Any], database_url: str, write: Callable[[str], None]) -> int:
    """Run `guanhuai bench <bench>` in a child process on `database_url`, streaming its output."""
    root = str(settings.BASE_DIR)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            SCRATCH_ENV: database_url,
            OPTIONS_ENV: json.dumps(options),
            # DEBUG would keep every query's SQL in memory and format it; production mode needs the keys.
            "GUANHUAI_DEBUG": "0",
            "SECRET_KEY": env.get("SECRET_KEY") or settings.SECRET_KEY,
            "GUANHUAI_FIELD_KEY": env.get("GUANHUAI_FIELD_KEY") or settings.FIELD_KEY,
            "PYTHONPATH": os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p),
            "PYTHONUNBUFFERED": "1",
        }
    )
    cmd = [sys.executable, "-m", "guanhuai.cli", "bench", bench]
    with subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            write(line.rstrip("\n"))
        return proc.wait()
