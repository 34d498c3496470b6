"""The cost of one login POST: wall-clock ms, CPU ms and the queries it runs (issue 16).

    .venv/bin/python benchmarks/login_cost.py [--runs 20]

Runs in a fresh SQLite file in a temporary directory (migrated, then deleted), with the production
password hashers (this script is not the test suite), through Django's test client. Prints the median and
p90 of wall and CPU time per login, and the queries of one login by kind.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="guanhuai-login-")
    os.environ.update(
        GUANHUAI_VAR_DIR=scratch,
        GUANHUAI_DEMO="1",
        DATABASE_URL=f"sqlite:///{Path(scratch) / 'login.sqlite3'}",
        DJANGO_SETTINGS_MODULE="guanhuai.settings",
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from guanhuai.accounts.tests.factories import user_with_role
    from guanhuai.orgs.tests.factories import OrgUnitFactory

    call_command("migrate", verbosity=0)
    unit = OrgUnitFactory(code="440224100000", name="甲镇", level="township", kind="town")
    user = user_with_role("township_reviewer", unit, username="zhen_shenhe")
    user.set_password("correct horse 1")
    user.save()
    url = reverse("accounts:login")
    wall, cpu = [], []
    queries: list[str] = []
    for i in range(args.runs + 1):
        client = Client()
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            w0, c0 = time.perf_counter(), time.process_time()
            response = client.post(url, {"username": "zhen_shenhe", "password": "correct horse 1"})
            w1, c1 = time.perf_counter(), time.process_time()
        assert response.status_code == 302, response.status_code
        if i == 0:
            continue  # the first login may rehash a password stored with other parameters
        wall.append((w1 - w0) * 1000)
        cpu.append((c1 - c0) * 1000)
        queries = [q["sql"] for q in captured.captured_queries]
    user.refresh_from_db()
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]
    print(f"login POST, {args.runs} runs, hasher {hasher}, {user.password.split('$')[2]}")
    print(
        f"  wall ms  median {statistics.median(wall):7.1f}   p90 {sorted(wall)[int(len(wall) * 0.9) - 1]:7.1f}"
    )
    print(
        f"  cpu ms   median {statistics.median(cpu):7.1f}   p90 {sorted(cpu)[int(len(cpu) * 0.9) - 1]:7.1f}"
    )
    kinds = Counter(q.split()[0].upper() for q in queries)
    print(f"  queries  {len(queries)}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    for q in queries:
        print("    " + q[:150])


if __name__ == "__main__":
    main()
