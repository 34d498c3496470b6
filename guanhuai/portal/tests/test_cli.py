"""The portal's CLI: a cron line rolls read counts up once a day however often it runs, and publishes
scheduled articles when their time has come."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from guanhuai.portal.models import ReadDaily, ReadEvent
from guanhuai.portal.states import ArticleStatus
from guanhuai.portal.tests.factories import ArticleFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command("portal", *args, stdout=out)
    return out.getvalue()


def test_rollup_twice_the_same_day_runs_once(portal, django_capture_on_commit_callbacks):
    article = ArticleFactory(column=portal.news)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReadEvent.objects.create(
        site=portal.site, article=article, visitor="a" * 32, day=yesterday, at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = run("rollup", "--as", portal.editor.username)
    second = run("rollup", "--as", portal.editor.username)
    assert "已提交汇总任务" in first and "已提交过汇总任务" in second
    assert ReadDaily.objects.get(article=article).reads == 1


def test_rollup_refuses_a_bad_date_and_an_unknown_user(portal):
    with pytest.raises(CommandError, match="格式不对"):
        run("rollup", "--as", portal.editor.username, "--through", "2026-13-01")
    with pytest.raises(CommandError, match="用户不存在"):
        run("rollup", "--as", "nobody")


def test_publish_due_publishes_what_has_come_due(portal):
    due = ArticleFactory(
        column=portal.news,
        status=ArticleStatus.SCHEDULED,
        publish_at=timezone.now() - dt.timedelta(minutes=1),
    )
    later = ArticleFactory(
        column=portal.news, status=ArticleStatus.SCHEDULED, publish_at=timezone.now() + dt.timedelta(days=1)
    )
    assert "已发布 1 篇" in run("publish-due")
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == ArticleStatus.PUBLISHED and later.status == ArticleStatus.SCHEDULED
