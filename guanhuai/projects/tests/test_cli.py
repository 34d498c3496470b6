"""`guanhuai project_types`: the built-in types written once, and listed with their lists."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from guanhuai.projects.models import ProjectType


def test_install_writes_the_five_types_once_and_list_shows_their_lists(db):
    out = StringIO()
    call_command("project_types", "install", stdout=out)
    call_command("project_types", "install", stdout=out)
    assert "内置项目类型 5 个，本次新写入 5 个。" in out.getvalue()
    assert "内置项目类型 5 个，本次新写入 0 个。" in out.getvalue()
    assert ProjectType.objects.count() == 5
    listed = StringIO()
    call_command("project_types", "list", stdout=listed)
    text = listed.getvalue()
    assert "youth_health\t青春健康\t内置" in text
    assert (
        "venue_kinds: 学校（school）、高校（university）、社区（community）、企业（enterprise）、军营（army_camp）"
        in text
    )
