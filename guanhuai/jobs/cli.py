"""Text rendering of jobs for `guanhuai job …`: a one-line progress bar that redraws itself on a terminal
and prints plain lines (one per change) when the output goes to a file or a pipe."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from django.utils.translation import gettext as _

from guanhuai.jobs import registry
from guanhuai.jobs.models import Job

BAR_WIDTH = 30


def bar(percent: int, width: int = BAR_WIDTH) -> str:
    filled = width * max(0, min(100, percent)) // 100
    return "[" + "#" * filled + "." * (width - filled) + "]"


def progress_line(job: Job) -> str:
    parts = [bar(job.percent), f"{job.percent:3d}%"]
    if job.progress_total:
        parts.append(f"{job.progress_done}/{job.progress_total}")
    parts.append(str(job.get_status_display()))
    if job.message:
        parts.append(job.message)
    return " ".join(parts)


def describe(job: Job) -> list[tuple[str, str]]:
    """(label, value) pairs for `guanhuai job show`."""
    rows = [
        (_("编号"), str(job.pk)),
        (_("任务类型"), f"{registry.label(job.kind)} ({job.kind})"),
        (_("状态"), str(job.get_status_display())),
        (_("进度"), f"{job.percent}% ({job.progress_done}/{job.progress_total})"),
        (_("提交人"), job.actor.username),
        (_("组织"), job.org_unit.name if job.org_unit else "—"),
        (_("提交时间"), _fmt(job.created_at)),
        (_("开始时间"), _fmt(job.started_at)),
        (_("结束时间"), _fmt(job.finished_at)),
        (_("尝试次数"), str(job.attempts)),
    ]
    if job.counts:
        rows.append((_("统计"), ", ".join(f"{k}={v}" for k, v in sorted(job.counts.items()))))
    if job.message:
        rows.append((_("说明"), job.message))
    if job.error:
        rows.append((_("错误"), job.error))
    if job.result_file:
        rows.append((_("结果文件"), job.result_file.name))
    if job.input_file:
        rows.append((_("输入文件"), job.input_file.name))
    return rows


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]


def watch(
    job: Job,
    out: TextIO,
    *,
    tty: bool,
    interval: float = 0.5,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Job:
    """Redraw the job's progress until it finishes (or `timeout` seconds pass) and return it fresh."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last = ""
    while True:
        job.refresh_from_db()
        line = progress_line(job)
        if tty:
            # Pad to wipe the tail of a longer previous line.
            out.write("\r" + line.ljust(len(last)))
            out.flush()
        elif line != last:
            out.write(line + "\n")
            out.flush()
        last = line
        if job.is_finished or (deadline is not None and time.monotonic() >= deadline):
            if tty:
                out.write("\n")
            return job
        sleep(interval)
