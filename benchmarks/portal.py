"""`guanhuai bench portal`: the public portal with 100,000 articles (at --scale 1), in a scratch database.

1. **Generation**: the articles are written set-based (`bulk_create` in batches of 5,000); beside it, the
   naive way (one `save()` per article) on a sample, and the per-article cost of each.
2. **Server time in-process** (Django's test client: no network, no other process): the column page (first
   page and a deep page) and the article page, each uncached (the site's page generation bumped before every
   request, as a publish does) and cached (the same URL again), `--samples` requests each, p50/p95.
3. **Load test** against a real server on 127.0.0.1: gunicorn (`--workers` sync workers, production
   settings, the page cache in the file cache the workers share), and `--clients` concurrent anonymous
   readers (a small asyncio HTTP client, no outside tool) reading articles for at most `--duration` seconds
   or `--requests` requests, whichever comes first. Each reader keeps its visitor cookie, as a browser does,
   so its reads are counted once per article per day like real ones. First every article of the hot set is
   read once (warm), then the timed run; a second, uncached run bumps the site's generation first and reads
   articles nobody has read yet. It reports throughput, p50/p95/p99 and errors.

Targets (issue 15): p95 < 100 ms for cached anonymous article reads at 50 clients on a 2-core machine, and
no errors.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any

HELP = (
    "阳光计生门户：10 万篇文章的栏目页和文章页服务器耗时（缓存/不缓存），以及 50 个并发匿名读者的负载测试。"
)

ARTICLES = 100_000
BATCH = 5_000
NAIVE_SAMPLE = 500
HOT_ARTICLES = 300
TARGET_P95_MS = 100.0


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--samples", type=int, default=40, help="每种页面的请求次数（服务器耗时部分），默认 40。"
    )
    parser.add_argument("--clients", type=int, default=50, help="负载测试的并发读者数，默认 50。")
    parser.add_argument("--duration", type=int, default=30, help="负载测试每轮最长秒数，默认 30。")
    parser.add_argument("--requests", type=int, default=6000, help="负载测试每轮最多请求数，默认 6000。")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn 进程数，默认 3。")
    parser.add_argument("--no-load", action="store_true", help="不做负载测试（只测服务器耗时）。")
    parser.add_argument(
        "--redis",
        action="store_true",
        help="负载测试时在 127.0.0.1 上另起一个 redis-server 作缓存（生产部署的做法）；默认用单机的文件缓存。",
    )


def _pcts(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        v = values[0] if values else 0.0
        return {"p50": v, "p95": v, "p99": v}
    cuts = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


# --- the data ----------------------------------------------------------------------------------------------


def build(n: int, write: Callable[[str], Any]) -> dict[str, Any]:
    from django.utils import timezone

    from guanhuai.core.text import to_simplified
    from guanhuai.orgs import paths
    from guanhuai.orgs.models import OrgUnit
    from guanhuai.portal.models import Article, Column, Site
    from guanhuai.portal.sanitise import plain_text, render_body
    from guanhuai.portal.states import ArticleStatus, BodyFormat

    root = paths.segment(1)
    province = OrgUnit.objects.create(
        code="440000", name="广东省", level="province", path=root, depth=paths.depth(root)
    )
    site = Site.objects.create(unit=province, name="广东省计划生育协会", slug="gd")
    columns = [
        Column.objects.create(site=site, name=name, slug=slug, path=slug, position=i)
        for i, (name, slug) in enumerate(
            [
                ("通知公告", "tzgg"),
                ("协会动态", "xhdt"),
                ("政策法规", "zcfg"),
                ("文件资料", "wjzl"),
                ("办事指南", "bszn"),
            ]
        )
    ]
    source = "\n\n".join(["计生协会开展生育关怀活动，走访慰问计生特殊家庭，送去党和政府的关怀。" * 3] * 4)
    body = render_body(source, BodyFormat.MARKDOWN)
    text = to_simplified(plain_text(body)).lower()
    now = timezone.now()

    def article(i: int) -> Article:
        return Article(
            site=site,
            column=columns[i % len(columns)],
            code=f"b{i:08d}",
            title=f"协会动态第{i}期：生育关怀进万家",
            author="省计生协宣传部",
            body_format=BodyFormat.MARKDOWN,
            body_source=source,
            body=body,
            search_text=f"协会动态第{i}期 {text}",
            status=ArticleStatus.PUBLISHED,
            publish_at=now - dt.timedelta(minutes=i),
        )

    started = time.perf_counter()
    for start in range(0, n, BATCH):
        Article.objects.bulk_create(
            [article(i) for i in range(start, min(n, start + BATCH))], batch_size=1000
        )
    bulk = time.perf_counter() - started
    sample = min(NAIVE_SAMPLE, n)
    started = time.perf_counter()
    for i in range(n, n + sample):
        article(i).save()
    naive = time.perf_counter() - started
    Article.objects.filter(code__gte=f"b{n:08d}").delete()
    write(
        f"生成 {n:,} 篇文章（bulk_create，每批 {BATCH}）：{bulk:.1f} s，{bulk / n * 1e6:.0f} µs/篇；"
        f"逐条 save() {sample} 篇：{naive:.2f} s，{naive / sample * 1e6:.0f} µs/篇（{naive / sample / (bulk / n):.1f}×）"
    )
    return {
        "site": site,
        "columns": columns,
        "n": n,
        "bulk_s": bulk,
        "naive_per_article_us": naive / sample * 1e6,
    }


# --- server time in-process ------------------------------------------------------------------------------


def server_times(world: dict[str, Any], samples: int, write: Callable[[str], Any]) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from guanhuai.portal.public import bump_site

    site, columns, n = world["site"], world["columns"], world["n"]
    client = Client()
    deep_page = max(1, n // len(columns) // 20 // 2)  # the middle of a column
    pages = {
        "column_first": lambda i: reverse(
            "portal:column", kwargs={"site": "gd", "column_path": columns[i % 5].path}
        ),
        "column_deep": lambda i: (
            reverse("portal:column", kwargs={"site": "gd", "column_path": columns[i % 5].path})
            + f"?page={deep_page}"
        ),
        "article": lambda i: reverse(
            "portal:article", kwargs={"site": "gd", "code": f"b{(i * 7919) % n:08d}"}
        ),
        "article_hant": lambda i: reverse(
            "portal:hant_article", kwargs={"site": "gd", "code": f"b{(i * 7919) % n:08d}"}
        ),
    }
    out: dict[str, Any] = {}
    # The naive way in the same run: a cached article through the whole middleware stack (a session cookie
    # keeps a request off the fast path, as it does for a signed-in editor reading the site).
    staff = Client()
    staff.cookies["sessionid"] = "none"
    times = []
    for i in range(samples):
        url = pages["article"](i)
        staff.get(url)
        started = time.perf_counter()
        response = staff.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.get("X-Portal-Cache") == "hit", url
    out["article_cached_full_stack"] = p = _pcts(times)
    write(f"  {'article_cached_full_stack':28s} p50 {p['p50']:7.1f} ms   p95 {p['p95']:7.1f} ms")
    for name, url_of in pages.items():
        for cached in (False, True):
            times = []
            for i in range(samples):
                url = url_of(i)
                if cached:
                    client.get(url)  # fill
                else:
                    bump_site(site.pk)
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                assert response.get("X-Portal-Cache") == ("hit" if cached else "miss"), url
            p = _pcts(times)
            key = f"{name}_{'cached' if cached else 'uncached'}"
            out[key] = p
            write(f"  {key:28s} p50 {p['p50']:7.1f} ms   p95 {p['p95']:7.1f} ms")
    return out


# --- the load test --------------------------------------------------------------------------------------


async def _get(host: str, port: int, path: str, cookie: str, extra: str = "") -> tuple[int, str, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nUser-Agent: gh-bench\r\n"
        if cookie or extra:
            head += (
                "Cookie: " + "; ".join(c for c in (f"gk_v={cookie}" if cookie else "", extra) if c) + "\r\n"
            )
        writer.write((head + "\r\n").encode())
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    elapsed = (time.perf_counter() - started) * 1000
    header, _sep, _body = data.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    new_cookie = cookie
    for line in lines[1:]:
        if line.lower().startswith("set-cookie: gk_v="):
            new_cookie = line.split("=", 1)[1].split(";", 1)[0]
    return status, new_cookie, elapsed


async def _run(
    port: int, paths: list[str], clients: int, duration: float, limit: int, extra: str = ""
) -> dict[str, Any]:
    times: list[float] = []
    errors: dict[str, int] = {}
    issued = 0
    deadline = time.monotonic() + duration

    async def reader(k: int) -> None:
        nonlocal issued
        cookie = ""
        rnd = random.Random(k)
        while time.monotonic() < deadline and issued < limit:
            issued += 1
            try:
                status, cookie, ms = await _get("127.0.0.1", port, rnd.choice(paths), cookie, extra)
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if status != 200:
                errors[str(status)] = errors.get(str(status), 0) + 1
            else:
                times.append(ms)

    started = time.perf_counter()
    await asyncio.gather(*(reader(k) for k in range(clients)))
    wall = time.perf_counter() - started
    return {"requests": len(times) + sum(errors.values()), "ok": len(times), "errors": errors, "seconds": wall,
            "rps": len(times) / wall if wall else 0.0, **_pcts(times)}  # fmt: skip


def load_test(world: dict[str, Any], options: dict[str, Any], write: Callable[[str], Any]) -> dict[str, Any]:
    from django.db import connection

    import benchmarks.load as load_bench
    from benchmarks.load import Servers, _free_port, _server_env

    n = world["n"]
    hot = [f"/gk/gd/a/b{(i * 7919) % n:08d}/" for i in range(min(HOT_ARTICLES, n))]
    cold = [f"/gk/gd/a/b{(i * 104729 + 13) % n:08d}/" for i in range(min(HOT_ARTICLES * 10, n))]
    connection.close()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gh-portal-load-") as var_dir:
        env = _server_env(var_dir)
        env["GUANHUAI_PORTAL_CACHE_SECONDS"] = "600"
        redis = None
        if options.get("redis"):
            # our own redis-server for this run only: 127.0.0.1, no persistence, stopped below by its pid
            redis_port = _free_port()
            redis = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            env["CACHE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            time.sleep(1)
        out["cache"] = env.get("CACHE_URL") or "file"
        port = _free_port()
        servers = Servers(env, port, var_dir)
        load_bench.WORKERS = options["workers"]  # read by Servers.start
        servers.start()
        try:
            clients = options["clients"]
            asyncio.run(_run(port, hot, min(clients, 20), 120, len(hot) * 2))  # warm: every hot page cached
            cpu_a = servers.cpu()
            # the naive way in the same run: the same cached pages through the whole middleware stack
            full = asyncio.run(
                _run(port, hot, clients, options["duration"], options["requests"], extra="sessionid=none")
            )
            cpu0 = servers.cpu()
            cached = asyncio.run(_run(port, hot, clients, options["duration"], options["requests"]))
            cpu1 = servers.cpu()
            few = max(1, clients // 10)  # fewer clients: what the code costs, apart from the queue
            cached_few = asyncio.run(_run(port, hot, few, options["duration"], options["requests"]))
            cpu_b = servers.cpu()
            uncached = asyncio.run(
                _run(port, cold, clients, options["duration"], min(options["requests"], len(cold)))
            )
            cpu2 = servers.cpu()
            if cached["errors"] or uncached["errors"]:
                write("  gunicorn 日志（末尾）：\n" + servers.log("gunicorn"))
        finally:
            servers.stop()
            if redis is not None:
                redis.terminate()
                redis.wait(timeout=10)
    for name, r, cpu in (
        ("cached_full_stack", full, cpu0["gunicorn"] - cpu_a["gunicorn"]),
        ("cached", cached, cpu1["gunicorn"] - cpu0["gunicorn"]),
        (f"cached_{few}_clients", cached_few, cpu_b["gunicorn"] - cpu1["gunicorn"]),
        ("uncached", uncached, cpu2["gunicorn"] - cpu_b["gunicorn"]),
    ):
        r["server_cpu_s"] = cpu
        out[name] = r
        write(
            f"  {name:18s} {r['ok']:6d} 次 / {r['seconds']:5.1f} s = {r['rps']:6.1f} 次/秒   p50 {r['p50']:6.1f}  "
            f"p95 {r['p95']:6.1f}  p99 {r['p99']:6.1f} ms   错误 {sum(r['errors'].values())} {r['errors'] or ''}   "
            f"服务器 CPU {cpu:.1f} s（{cpu / max(1, r['requests']) * 1000:.1f} ms/次）"
        )
    ok = (
        out["cached"]["p95"] < TARGET_P95_MS and not out["cached"]["errors"] and not out["uncached"]["errors"]
    )
    write(f"  目标：缓存文章页 p95 < {TARGET_P95_MS:.0f} ms 且无错误 —— {'达到' if ok else '未达到'}")
    out["target_met"] = ok
    return out


def run(options: dict[str, Any], write: Callable[[str], Any]) -> None:
    import json

    from django.db import connection

    n = max(100, int(ARTICLES * options["scale"]))
    write(f"数据库：{connection.vendor}；CPU：{os.cpu_count()} 核")
    world = build(n, write)
    write("服务器耗时（进程内，Django 测试客户端）：")
    report: dict[str, Any] = {
        "articles": n,
        "generation": {k: v for k, v in world.items() if k.endswith(("_s", "_us"))},
    }
    from django.conf import settings
    from django.test.utils import override_settings

    # In-process: plain static file names (the load test's server reads the collected manifest) and the
    # test client's host name.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]):
        report["server"] = server_times(world, options["samples"], write)
    if not options.get("no_load"):
        write(
            f"负载测试：gunicorn {options['workers']} 个进程，{'redis' if options.get('redis') else '文件缓存'}，"
            f"{options['clients']} 个并发匿名读者，127.0.0.1："
        )
        report["load"] = load_test(world, options, write)
    if options.get("json"):
        with open(options["json"], "w") as f:
            json.dump(report, f, ensure_ascii=False, indent=2, default=str)
