from __future__ import annotations

import io

import pytest
from django.core.management import ManagementUtility, call_command

from guanhuai.jobs import cli
from guanhuai.jobs.models import Job
from guanhuai.jobs.states import JobStatus
from guanhuai.jobs.tests.factories import JobFactory


@pytest.fixture
def job(tree, people):
    return JobFactory(
        actor=people.clerk_a,
        org_unit=tree.village_a,
        status=JobStatus.RUNNING,
        progress_done=10,
        progress_total=20,
        message="已完成第 10 / 20 步",
    )


def run_cli(*argv):
    """Run `guanhuai …` as the console script does, returning its exit code."""
    try:
        ManagementUtility(["guanhuai", *argv]).execute()
    except SystemExit as exc:
        return exc.code
    return 0


def test_watch_exits_0_when_the_job_succeeds(job, capsys):
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress_done=20)
    assert run_cli("job", "watch", str(job.pk)) == 0
    assert f"任务 #{job.pk} 已完成。" in capsys.readouterr().out


def test_watch_exits_1_with_the_error_when_the_job_fails(job, capsys):
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="第3行身份证号校验位错误")
    assert run_cli("job", "watch", str(job.pk)) == 1
    assert "第3行身份证号校验位错误" in capsys.readouterr().err


def test_watch_of_an_unknown_job_fails_with_a_message(db, capsys):
    assert run_cli("job", "watch", "999999") == 1
    assert "未找到该任务" in capsys.readouterr().err


def test_watch_as_a_user_who_cannot_see_the_job_is_not_found(job, people, capsys):
    assert run_cli("job", "watch", str(job.pk), "--user", people.reviewer_b.username) == 1
    assert "未找到该任务" in capsys.readouterr().err


def test_watch_follows_progress_with_plain_lines_when_not_a_terminal(job):
    out = io.StringIO()
    seen = iter(
        [(10, JobStatus.RUNNING), (15, JobStatus.RUNNING), (15, JobStatus.RUNNING), (20, JobStatus.SUCCEEDED)]
    )

    def advance(_seconds):
        done, status = next(seen)
        Job.objects.filter(pk=job.pk).update(progress_done=done, status=status)

    job = cli.watch(job, out, tty=False, sleep=advance)

    lines = out.getvalue().splitlines()
    assert job.status == JobStatus.SUCCEEDED
    assert [line.split()[1] for line in lines] == ["50%", "75%", "100%"]  # one line per change
    assert "\r" not in out.getvalue()


def test_watch_redraws_one_line_on_a_terminal(job):
    out = io.StringIO()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress_done=20)
    cli.watch(job, out, tty=True, sleep=lambda s: None)
    assert out.getvalue().startswith("\r[" + "#" * 30 + "] 100%")
    assert out.getvalue().endswith("\n")


def test_watch_times_out_with_exit_code_2(job, capsys):
    assert run_cli("job", "watch", str(job.pk), "--timeout", "0") == 2
    assert "仍未结束" in capsys.readouterr().err


def test_submit_demo_runs_a_demo_job_and_a_repeated_key_submits_nothing(
    people, no_sleep, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "job",
            "submit-demo",
            "--steps",
            "4",
            "--delay",
            "0",
            "--user",
            "clerk_a",
            "--key",
            "d1",
            stdout=out,
        )
        call_command("job", "submit-demo", "--steps", "4", "--user", "clerk_a", "--key", "d1", stdout=out)

    job = Job.objects.get()
    assert job.kind == "jobs.sleep" and job.actor == people.clerk_a
    assert job.status == JobStatus.SUCCEEDED and job.counts == {"counted": 4}
    assert len(no_sleep) == 4
    assert f"已提交演示任务 #{job.pk}。" in out.getvalue()
    assert "该幂等键已提交过" in out.getvalue()


def test_list_and_show(job, people):
    out = io.StringIO()
    call_command("job", "list", stdout=out)
    assert f"#{job.pk}" in out.getvalue() and "演示任务" in out.getvalue()

    out = io.StringIO()
    call_command("job", "list", "--user", people.reviewer_b.username, stdout=out)
    assert out.getvalue().strip() == "暂无任务"

    out = io.StringIO()
    call_command("job", "show", str(job.pk), stdout=out)
    assert "50% (10/20)" in out.getvalue() and "已完成第 10 / 20 步" in out.getvalue()
