from __future__ import annotations

import pytest

from guanhuai.core.errors import ValidationError
from guanhuai.jobs import registry
from guanhuai.jobs.states import JobStatus
from guanhuai.jobs.tests.factories import JobFactory

# Handlers used only by these tests; each run is recorded so tests can count executions.
RUNS: list[int] = []


@registry.register("tests.count", "测试计数任务")
def count_handler(job, progress):
    RUNS.append(job.pk)
    progress.set_total(2)
    progress.step(2, force=True, counted=2)


@registry.register("tests.bad_file", "测试失败任务")
def bad_file_handler(job, progress):
    progress.set_total(10)
    progress.step(3, force=True)
    raise ValidationError("第3行身份证号校验位错误，导入已停止。")


@registry.register("tests.bug", "测试程序错误")
def bug_handler(job, progress):
    raise ZeroDivisionError("secret 11010519491231002X")


@pytest.fixture
def runs():
    RUNS.clear()
    yield RUNS
    RUNS.clear()


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """job_submit with on-commit callbacks executed, so the in-process task backend runs the job."""
    from guanhuai.jobs.services import job_submit

    def _submit(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return job_submit(**kwargs)

    return _submit


@pytest.fixture
def no_sleep(monkeypatch):
    """The demo job sleeps per step; tests count the steps instead of waiting."""
    from guanhuai.jobs import jobs

    calls: list[float] = []
    monkeypatch.setattr(jobs, "_pause", calls.append)
    return calls


@pytest.fixture
def job_a(tree, people):
    """A running job of 甲镇's reviewer, seven steps of twenty done."""
    return JobFactory(
        actor=people.reviewer_a,
        org_unit=tree.town_a,
        status=JobStatus.RUNNING,
        progress_done=7,
        progress_total=20,
        counts={"counted": 7},
        message="已完成第 7 / 20 步",
    )
