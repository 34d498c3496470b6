"""`guanhuai bench load`: a county office's busy morning, against a real multi-process server.

In the scratch database (SQLite by default, PostgreSQL with `--database-url`) it builds the demo province
(`guanhuai demo`), then starts:

- Guanhuai under gunicorn, 3 sync workers on 127.0.0.1 and a free port, in production mode (no DEBUG);
- `guanhuai worker` beside it, as in the embedded default;
- locust, headless and in one process, with `--users` scripted staff (`benchmarks/load_users.py`: village
  clerks, township and county reviewers, finance, a province admin). They log in through the form and
  browse their own role's pages with 1–4 s between clicks, for `--duration` seconds;
- once the logins are past, an Excel export (watched through its progress panel), an Excel import and a
  cycle generation, one after another (`benchmarks/load_jobs.py`).

It prints requests/s, failures by kind, p50/p95/p99 per page kind, for the first minute (when everyone
logs in) and after it, what each job did to page latency while it ran, each job's outcome, and the CPU
seconds used by the web server, the worker and the load tool. Every figure is computed from the raw
samples (one per request).

The server processes share the scratch database and a temporary GUANHUAI_VAR_DIR (for export files and
uploads), so nothing of the installation is touched.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone

HELP = "负载基准：gunicorn（3 个进程）+ 后台任务进程 + locust 模拟工作人员登录浏览，同时运行导出、导入和生成发放周期。"

HERE = Path(__file__).resolve().parent
WORKERS = 3
BURST_SECONDS = 60
SPAWN_SECONDS = 10  # every user has started within this many seconds
START_TIMEOUT_SECONDS = 90
JOB_KINDS = ("export", "import", "cycle")
PERCENTILES = (50, 95, 99)
# Issue 16's targets with 50 users on a 2-core machine: p95 in ms.
TARGET_STEADY_P95 = {"sqlite3": 150, "postgresql": 200}
TARGET_BURST_P95 = 500


def add_arguments(parser: Any) -> None:
    parser.add_argument("--users", type=int, default=20, help="同时在线的模拟工作人员数，默认 20。")
    parser.add_argument("--duration", type=int, default=90, help="模拟用户运行的秒数，默认 90。")
    parser.add_argument(
        "--jobs",
        default=",".join(JOB_KINDS),
        help="运行期间依次启动的任务，逗号分隔：export、import、cycle；空字符串表示不启动。",
    )
    parser.add_argument("--import-rows", type=int, default=2000, help="导入文件的行数，默认 2000。")
    parser.add_argument(
        "--small", action="store_true", help="只建最小演示（guanhuai demo --small），用于测试。"
    )
    parser.add_argument(
        "--demo-from",
        default="",
        metavar="FILE",
        help="不重建演示省，而是复制这个已建好演示省的 SQLite 文件（如 make demo 的 var/guanhuai.sqlite3；"
        "须用本安装的 GUANHUAI_FIELD_KEY 建立）。只用于 SQLite；原文件只读，不会改动。",
    )


# --- the pieces -------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)  # DATABASE_URL, SECRET_KEY and GUANHUAI_FIELD_KEY: the scratch child's
    env.update(
        {
            "GUANHUAI_VAR_DIR": var_dir,
            "GUANHUAI_DEBUG": "0",
            "GUANHUAI_DEMO": "0",
            "GUANHUAI_SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
            # The demo has about ten accounts for fifty simulated people, so the per-username login limit
            # (10 a minute) would rightly refuse them; the per-address limit stays as deployed (all users
            # come from 127.0.0.1, like an office behind one NAT address).
            "GUANHUAI_RATE_LIMIT_LOGIN": "1000/m,120/m",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _guanhuai(*args: str) -> list[str]:
    return [sys.executable, "-m", "guanhuai.cli", *args]


def build_demo(options: dict[str, Any], env: dict[str, str], write: Callable[[str], None]) -> float:
    started = time.perf_counter()
    cmd = _guanhuai("demo", "--no-job", *(["--small"] if options["small"] else []))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"guanhuai demo failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def copy_demo(source: str) -> float:
    """Copy a demo SQLite file over the (empty, migrated) scratch database with SQLite's backup API, which
    reads a consistent snapshot even of a database in use, then bring it to this code's migrations."""
    import sqlite3

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from guanhuai.accounts.models import User

    started = time.perf_counter()
    if not os.path.isfile(source):
        raise SystemExit(f"--demo-from: {source} is not a file")
    connection.close()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    call_command("migrate", interactive=False, verbosity=0)
    if not User.objects.filter(username__in=["sheng_admin", "xian_shenpi", "caiwu"]).count() == 3:
        raise SystemExit(f"--demo-from: {source} holds no demo province (guanhuai demo)")
    return time.perf_counter() - started


def plan_jobs(import_rows: int) -> dict[str, Any]:
    """What the jobs need from the demo: an import file of new households for the county reviewer's
    county, and the next period of the finance officer's programme with the most enrolments."""
    from django.db.models import Count

    from guanhuai.accounts.models import User
    from guanhuai.programmes.models import Cycle
    from guanhuai.programmes.periods import month_end, period_containing
    from guanhuai.programmes.selectors.cycles import programmes_visible
    from guanhuai.registry.models import Person

    plan: dict[str, Any] = {}
    county = User.objects.get(username="xian_shenpi").home_unit
    content, rows = import_file(county, import_rows) if import_rows else (b"", 0)
    plan.update(import_unit=county.pk, import_content=content, import_rows=rows)
    finance = User.objects.get(username="caiwu")
    programme = (
        programmes_visible(actor=finance)
        .filter(active=True)
        .annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .first()
    )
    if programme is not None:
        last = Cycle.objects.filter(programme=programme).order_by("-last_month").first()
        day = month_end(last.last_month) + dt.timedelta(days=1) if last else timezone.localdate()
        plan.update(
            cycle_programme=programme.pk,
            cycle_programme_name=programme.name,
            cycle_period=period_containing(day, programme.period).label,
        )
    plan["persons"] = Person.objects.count()
    return plan


def import_file(county: Any, want: int) -> tuple[bytes, int]:
    """New households for the villages of `county`, drawn by the demo's generator with another seed, in
    the import template's layout. Households with an ID already registered are left out, so every row is
    valid and the commit is offered."""
    from openpyxl import Workbook

    from benchmarks.common import import_row
    from guanhuai.orgs.models import Level, OrgUnit
    from guanhuai.registry import io_excel
    from guanhuai.registry.models import Person
    from guanhuai.registry.services import id_lookup_key
    from guanhuai.web.demo import households

    villages = households.villages_for(
        OrgUnit.objects.filter(level=Level.VILLAGE, path__startswith=county.path)
    )
    gen = households.Generator(recorded_by=None, seed=1616, chunk=10**9)
    while len(gen.persons) < want:
        for v in villages[:20]:
            gen.fill(v, max(1, want // 60))
    members: dict[int, list[Any]] = {}
    for p in gen.persons:
        members.setdefault(id(p._hh), []).append(p)
    keys = [id_lookup_key(p.id_number) for p in gen.persons]
    taken = set(Person.objects.filter(id_index__in=keys).values_list("id_index", flat=True))
    code = {v.id: v.code for v in villages}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("户籍人口")
    ws.append(io_excel.HEADERS)
    rows = 0
    seen: set[str] = set()
    for hh in gen.households:
        people = sorted(members.get(id(hh), []), key=lambda p: p.relation_to_head != "head")
        ids = {id_lookup_key(p.id_number) for p in people}
        if rows >= want or ids & taken or ids & seen or hh.number in seen:
            continue
        seen |= ids | {hh.number}
        for p in people:
            ws.append(import_row(hh, code[hh.org_unit_id], p))
            rows += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), rows


class Servers:
    """gunicorn and the worker, started and stopped together; CPU read from /proc through psutil."""

    def __init__(self, env: dict[str, str], port: int, log_dir: str) -> None:
        self.env, self.port, self.log_dir = env, port, log_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[Any] = []

    def start(self) -> None:
        # Production mode serves hashed static files from the manifest, as a real deployment does after
        # `guanhuai collectstatic`: without it every page that names a static file fails.
        subprocess.run(
            _guanhuai("collectstatic", "--noinput", "-v0"),
            env=self.env,
            check=True,
            timeout=300,
            cwd=str(HERE.parent),
        )
        web = [
            sys.executable, "-m", "gunicorn", "guanhuai.wsgi:application",
            "--workers", str(WORKERS), "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning",
        ]  # fmt: skip
        for name, cmd in (("gunicorn", web), ("worker", _guanhuai("worker"))):
            log = open(os.path.join(self.log_dir, f"{name}.log"), "wb")  # closed in stop()
            self.logs.append(log)
            self.procs[name] = subprocess.Popen(
                cmd, env=self.env, cwd=str(HERE.parent), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.procs["gunicorn"].poll() is not None:
                raise RuntimeError("gunicorn stopped at start:\n" + self.log("gunicorn"))
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as r:
                    if r.status == 200 and json.loads(r.read())["worker"].get("status") == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn and the worker were not ready in time:\n" + self.log("gunicorn"))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, name: str) -> str:
        return Path(self.log_dir, f"{name}.log").read_text(errors="replace")[-3000:]

    def cpu(self) -> dict[str, float]:
        """CPU seconds (user + system) of each process tree so far, children included."""
        import psutil

        out: dict[str, float] = {}
        for name, proc in self.procs.items():
            total = 0.0
            try:
                root = psutil.Process(proc.pid)
                for p in [root, *root.children(recursive=True)]:
                    t = p.cpu_times()
                    total += t.user + t.system
            except psutil.Error:
                pass
            out[name] = total
        return out

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.logs:
            log.close()


def run_locust(options: dict[str, Any], base: str, samples: str, env: dict[str, str]) -> tuple[int, float]:
    """Run the users to the end; return locust's exit status and the CPU seconds it used."""
    users = options["users"]
    cmd = [
        sys.executable, "-m", "locust", "-f", str(HERE / "load_users.py"), "--headless",
        "--users", str(users), "--spawn-rate", f"{max(1.0, users / SPAWN_SECONDS):.2f}",
        "--run-time", f"{options['duration']}s", "--stop-timeout", "5", "--host", base,
        "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        cmd,
        env={**env, "GUANHUAI_LOAD_SAMPLES": samples},
        capture_output=True,
        text=True,
        timeout=options["duration"] + 120,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):  # 1: some request failed, which the report shows
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.returncode, cpu


# --- the figures ------------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    values = sorted(values)
    if len(values) == 1:
        return {f"p{p}": values[0] for p in PERCENTILES}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {f"p{p}": cuts[p - 1] for p in PERCENTILES}


def summarise(
    samples: list[list[Any]], started: float, duration: float, outcomes: list[Any]
) -> dict[str, Any]:
    """The report, from raw samples [start, kind, ms, failure]."""
    pages = [s for s in samples if not s[1].startswith("job:")]
    kinds = sorted({s[1] for s in pages})
    failures = Counter(f"{s[1]}: {s[3]}" for s in samples if s[3])
    burst_end = started + BURST_SECONDS
    windows = [(o.started, o.finished) for o in outcomes if o.started]

    def during(s: list[Any]) -> bool:
        return any(a <= s[0] <= b for a, b in windows)

    report: dict[str, Any] = {
        "requests": len(pages),
        "requests_per_s": len(pages) / duration if duration else 0.0,
        "job_requests": len(samples) - len(pages),
        "failed": sum(1 for s in samples if s[3]),
        "failures": dict(failures.most_common()),
        "kinds": {
            k: {"n": len(v), **(percentiles(v) or {})}
            for k in kinds
            if (v := [s[2] for s in pages if s[1] == k])
        },
        "first_minute": percentiles([s[2] for s in pages if s[0] < burst_end]),
        "first_minute_without_jobs": percentiles([s[2] for s in pages if s[0] < burst_end and not during(s)]),
        "first_minute_login_post": percentiles(
            [s[2] for s in pages if s[0] < burst_end and s[1] == "login POST"]
        ),
        "steady": percentiles([s[2] for s in pages if s[0] >= burst_end and not during(s)]),
        "steady_n": sum(1 for s in pages if s[0] >= burst_end and not during(s)),
        "jobs": [],
    }
    for o in outcomes:
        inside = [s[2] for s in pages if o.started and o.started <= s[0] <= o.finished]
        report["jobs"].append(
            {
                "kind": o.kind,
                "succeeded": o.succeeded,
                "status": o.status,
                "detail": o.detail,
                "seconds": round(o.seconds, 1),
                "polls": o.polls,
                "job_ids": o.job_ids,
                "pages_during": percentiles(inside),
                "pages_during_n": len(inside),
            }
        )
    return report


def _ms(p: dict[str, float] | None) -> str:
    return "/".join(f"{p[f'p{q}']:,.0f}" for q in PERCENTILES) if p else "—"


def targets(report: dict[str, Any], engine: str) -> list[dict[str, Any]]:
    def p95(p: dict[str, float] | None) -> float | None:
        return round(p["p95"]) if p else None

    steady, burst = p95(report["steady"]), p95(report["first_minute"])
    failed_jobs = sum(1 for j in report["jobs"] if not j["succeeded"])
    steady_target = TARGET_STEADY_P95.get(engine, 150)
    return [
        {"name": "failed requests", "value": report["failed"], "target": 0, "met": report["failed"] == 0},
        {"name": "failed jobs", "value": failed_jobs, "target": 0, "met": failed_jobs == 0},
        {
            "name": "steady p95 ms",
            "value": steady,
            "target": steady_target,
            "met": steady is not None and steady < steady_target,
        },
        {
            "name": "first minute p95 ms",
            "value": burst,
            "target": TARGET_BURST_P95,
            "met": burst is not None and burst < TARGET_BURST_P95,
        },
    ]


def print_report(report: dict[str, Any], write: Callable[[str], None]) -> None:
    write("")
    write(
        f"请求：{report['requests']:,} 次页面请求，{report['requests_per_s']:.1f} 次/秒（另有任务请求 {report['job_requests']:,} 次）"
    )
    write(f"失败：{report['failed']:,}" + ("" if not report["failures"] else ""))
    for kind, n in report["failures"].items():
        write(f"  {n:>5}  {kind}")
    write("")
    write(f"{'页面类型':<22}{'次数':>7}   p50/p95/p99 毫秒")
    for kind, v in report["kinds"].items():
        write(f"{kind:<26}{v['n']:>7}   {_ms(v)}")
    write("")
    write(
        f"前 {BURST_SECONDS} 秒（集中登录）全部页面：{_ms(report['first_minute'])} 毫秒；其中登录提交：{_ms(report['first_minute_login_post'])}"
    )
    write(f"前 {BURST_SECONDS} 秒中无任务运行时：{_ms(report['first_minute_without_jobs'])} 毫秒")
    write(f"之后（无任务运行时，{report['steady_n']:,} 次）：{_ms(report['steady'])} 毫秒")
    write("")
    for j in report["jobs"]:
        verdict = "成功" if j["succeeded"] else "失败"
        write(
            f"任务 {j['kind']}：{verdict}（{j['status']}），{j['seconds']:.1f} 秒，轮询 {j['polls']} 次"
            + (f"；{j['detail']}" if j["detail"] else "")
        )
        write(f"  运行期间页面（{j['pages_during_n']:,} 次）：{_ms(j['pages_during'])} 毫秒")
    for t in report["targets"]:
        write(f"目标 {t['name']}：{t['value']} / {t['target']}  {'达到' if t['met'] else '未达到'}")
    cpu = report["cpu_s"]
    write("")
    write(
        f"CPU 秒：gunicorn {cpu['gunicorn']:.1f}（每次请求 {report['server_cpu_ms_per_request']:.1f} 毫秒），"
        f"后台任务进程 {cpu['worker']:.1f}，locust {cpu['locust']:.1f}；运行 {report['duration_s']:.0f} 秒，"
        f"本机 {os.cpu_count()} 核，平均负载 {report['loadavg_start']:.1f} → {report['loadavg_end']:.1f}"
    )


# --- the run ----------------------------------------------------------------------------------------------


def run(options: dict[str, Any], write: Callable[[str], None]) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    kinds = [k.strip() for k in (options.get("jobs") or "").split(",") if k.strip()]
    unknown = set(kinds) - set(JOB_KINDS)
    if unknown or options["users"] < 1 or options["duration"] < 5:
        raise SystemExit(f"bad options: jobs {sorted(unknown)}, users ≥ 1, duration ≥ 5 s")
    from benchmarks import load_jobs

    # This process is the bench's own child: on SIGTERM (a timeout, a killed parent), unwind through the
    # finally blocks below, so that gunicorn and the worker are stopped and the temporary folder removed.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    var_dir = tempfile.mkdtemp(prefix="guanhuai-load-")
    try:
        env = _server_env(var_dir)
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if options.get("demo_from"):
            if engine != "sqlite3":
                raise SystemExit("--demo-from copies a SQLite file, into a SQLite scratch database only")
            write(f"数据库：{engine}；复制演示省 {options['demo_from']}……")
            demo_s = copy_demo(options["demo_from"])
        else:
            write(f"数据库：{engine}；建立演示省……")
            demo_s = build_demo(options, env, write)
        plan = plan_jobs(options["import_rows"] if "import" in kinds else 0)
        connection.close()
        if "cycle" in kinds and "cycle_programme" not in plan:
            raise SystemExit("the demo has no programme that caiwu can generate a cycle of")
        write(f"演示省已就绪（{demo_s:.0f} 秒，{plan['persons']:,} 人）；导入文件 {plan['import_rows']:,} 行")
        servers = Servers(env, _free_port(), var_dir)
        try:  # stopped also when they fail to start: a half-started gunicorn must not outlive the bench
            servers.start()
            cpu_before = servers.cpu()
            samples_path = os.path.join(var_dir, "samples.jsonl")
            recorded: list[list[Any]] = []
            write(
                f"gunicorn（{WORKERS} 个 sync 进程）与后台任务进程已在 {servers.base} 启动；"
                f"{options['users']} 个用户运行 {options['duration']} 秒，任务：{', '.join(kinds) or '无'}"
            )
            load_start = os.getloadavg()[0]
            started = time.time()
            thread, outcomes = load_jobs.start(
                kinds,
                base=servers.base,
                password=settings.GUANHUAI_DEMO_PASSWORD or "",
                plan=plan,
                delay=min(30.0, options["duration"] * 0.25),  # after every user has started
                record=lambda *s: recorded.append(list(s)),
            )
            _code, locust_cpu = run_locust(options, servers.base, samples_path, env)
            duration = time.time() - started
            thread.join(timeout=load_jobs.JOB_TIMEOUT_SECONDS)
            cpu_after = servers.cpu()
            load_end = os.getloadavg()[0]
        finally:
            servers.stop()
        with open(samples_path, encoding="utf-8") as f:
            samples = [json.loads(line) for line in f if line.strip()] + recorded
        report = summarise(samples, started, duration, outcomes)
        cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_after} | {"locust": locust_cpu}
        report.update(
            users=options["users"],
            duration_s=duration,
            engine=settings.DATABASES["default"]["ENGINE"],
            persons=plan["persons"],
            cpu_s=cpu,
            loadavg_start=load_start,
            loadavg_end=load_end,
            server_cpu_ms_per_request=1000
            * cpu["gunicorn"]
            / max(1, report["requests"] + report["job_requests"]),
        )
        report["targets"] = targets(report, engine)
        print_report(report, write)
        if options.get("json"):
            Path(options["json"]).write_text(
                json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        return report
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
