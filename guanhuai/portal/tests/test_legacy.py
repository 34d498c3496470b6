"""Importing an article scraped from an old disclosure site (tests/data/, a byte-for-byte copy of the
shared fixture): what is kept (title, time, author, paragraphs, the text's own brackets), what is stripped
(readings, breadcrumb, counter, truncated repeat, previous/next, footer), re-import as a no-op, a dry run,
a file that is not an article page, the command line and the editors' upload page."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.portal import legacy
from guanhuai.portal.models import Article
from guanhuai.portal.services.legacy import Outcome, legacy_import
from guanhuai.portal.tests.factories import ColumnFactory, SiteFactory

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "2016-07-08-three-key-factors.txt"
TITLE = "牢牢把握發揮計生協生力軍作用三個關鍵因素"
# a reading annotation: lower-case Latin letters (with tone marks) in brackets
READING = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+[)）]")


@pytest.fixture
def files_column(tree):
    site = SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd")
    zwgk = ColumnFactory(site=site, name="政务公开", slug="zwgk")
    return ColumnFactory(site=site, parent=zwgk, name="文件资料", slug="wjzl")


def test_the_fixture_reads_as_its_readme_says():
    article = legacy.parse(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)

    assert article.title == TITLE
    assert article.published_at == dt.datetime(2016, 7, 8, 11, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert article.author == "廣東省計生協第一副會長 張楓"
    body = article.body_text
    assert body.startswith(
        "習近平總書記、李克強總理對中國計生協第八次全國會員代表大會召開所作的重要指示和批示"
    )
    assert body.endswith("社會影響力。")
    assert not READING.search(body) and not READING.search(article.title + article.author)
    # the text's own brackets stay
    assert "《全面實施兩孩政策 改革完善計劃生育服務管理》" in body
    assert "示範縣、村(居)項目" in body
    # paragraphs rebuilt: the opening and the three factors
    assert len(article.paragraphs) == 4
    assert [p[:3] for p in article.paragraphs[1:]] == ["首先,", "其次,", "最後,"]


def test_the_sites_chrome_is_stripped_and_reported():
    article = legacy.parse(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)
    kinds = [s.kind for s in article.stripped]
    body = article.body_text

    assert kinds[:4] == ["annotations", "breadcrumb", "counter", "repeat"]
    assert kinds.count("neighbours") == 2 and "footer" in kinds
    for chrome in (
        "當前位置",
        "閱讀次數",
        "上一篇",
        "下一篇",
        "訪問統計",
        "1989465",
        "版權所有",
        "020-87028736",
    ):
        assert chrome not in body
    # the truncated repeat is gone: the opening sentence is there once
    assert body.count("習近平總書記、李克強總理對中國計生協") == 1
    # the previous/next link kept its own brackets when reported
    assert any("(2016年5月20日" in s.text for s in article.stripped if s.kind == "neighbours")
    assert article.annotations > 300


def test_importing_files_the_article_into_the_column_as_published_with_its_own_time(files_column, client):
    [result] = legacy_import(actor=None, column=files_column, files=[(FIXTURE.name, FIXTURE.read_bytes())])

    assert result.outcome == Outcome.IMPORTED
    article = Article.objects.unscoped("test").get()
    assert (article.title, article.author, article.column_id) == (
        TITLE,
        "廣東省計生協第一副會長 張楓",
        files_column.pk,
    )
    assert article.status == "published"
    assert article.publish_at == dt.datetime(2016, 7, 8, 3, 21, 10, tzinfo=dt.UTC)
    assert article.body.count("<p>") == 4 and not READING.search(article.body)
    assert "计生协生力军" in article.search_text  # found in Simplified too
    assert AuditEntry.objects.filter(action="portal.article.imported").count() == 1
    # readers see it, in the page's own Traditional form
    page = client.get(reverse("portal:article", kwargs={"site": "gd", "code": article.code})).content.decode()
    assert TITLE in page and "2016-07-08 11:21" in page and "廣東省計生協第一副會長 張楓" in page


def test_reimporting_the_same_file_is_a_no_op(files_column):
    first = legacy_import(actor=None, column=files_column, files=[(FIXTURE.name, FIXTURE.read_bytes())])
    again = legacy_import(actor=None, column=files_column, files=[("copy.txt", FIXTURE.read_bytes())])

    assert [r.outcome for r in first + again] == [Outcome.IMPORTED, Outcome.EXISTS]
    assert again[0].code == first[0].code
    assert Article.objects.unscoped("test").count() == 1


def test_a_dry_run_reports_and_writes_nothing(files_column):
    [result] = legacy_import(
        actor=None, column=files_column, files=[(FIXTURE.name, FIXTURE.read_bytes())], dry_run=True
    )

    assert result.outcome == Outcome.WOULD_IMPORT
    assert result.article.title == TITLE and result.stripped
    assert not Article.objects.unscoped("test").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "文件是空的"),
        ("當前位置:首頁 > 政務公開\n\n協會簡介\n\n本會成立於1981年。\n".encode(), "没有发布时间"),
        ("標題\n\n2016-07-08 11:21:10\n\n".encode(), "没有找到正文"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "二进制文件"),
        ("標題\n\n2016-13-40 11:21:10\n\n  正文。\n".encode(), "不是有效的日期"),
    ],
)
def test_a_file_that_is_not_an_article_page_is_refused_with_the_reason(files_column, content, reason):
    [result] = legacy_import(actor=None, column=files_column, files=[("page.txt", content)])

    assert result.outcome == Outcome.REFUSED
    assert "page.txt" in result.reason and reason in result.reason
    assert not Article.objects.unscoped("test").exists()


def test_a_gb18030_page_without_indentation_is_read(files_column):
    text = "協會動態\n2015-03-02\n省計生協 宣傳部\n計(jì)生協會開展活動。\n活動得到群衆好評。\n"

    [result] = legacy_import(actor=None, column=files_column, files=[("old.txt", text.encode("gb18030"))])

    assert result.outcome == Outcome.IMPORTED
    assert result.article.author == "省計生協 宣傳部"
    assert result.article.paragraphs == ["計生協會開展活動。", "活動得到群衆好評。"]


def test_the_command_line_imports_reports_and_refuses(files_column, tmp_path):
    bad = tmp_path / "index.txt"
    bad.write_text("首頁\n", encoding="utf-8")
    out = StringIO()

    call_command("portal", "import-legacy", str(FIXTURE), "--column", "gd/zwgk/wjzl", "--dry-run", stdout=out)
    assert "将导入（试运行）" in out.getvalue() and "位置导航" in out.getvalue()
    assert not Article.objects.unscoped("test").exists()

    with pytest.raises(CommandError, match="1 个文件不是可以导入的文章页面"):
        call_command(
            "portal", "import-legacy", str(FIXTURE), str(bad), "--column", "gd/zwgk/wjzl", stdout=out
        )
    assert Article.objects.unscoped("test").count() == 1

    out = StringIO()
    call_command("portal", "import-legacy", str(FIXTURE), "--column", "gd/zwgk/wjzl", stdout=out)
    assert "已导入过，跳过" in out.getvalue()


def test_the_command_line_names_an_unknown_column(files_column):
    with pytest.raises(CommandError, match="没有这个栏目"):
        call_command("portal", "import-legacy", str(FIXTURE), "--column", "gd/nope", stdout=StringIO())


def test_the_upload_page_runs_a_dry_run_then_imports(client, files_column, tree):
    approver = user_with_role("association_officer", tree.province, username="shenhe")
    client.force_login(approver)
    url = reverse("portal:manage_legacy")

    form = client.get(url)
    dry = client.post(
        url,
        {
            "column": files_column.pk,
            "dry_run": "on",
            "pages": SimpleUploadedFile(FIXTURE.name, FIXTURE.read_bytes()),
        },
    )
    real = client.post(
        url, {"column": files_column.pk, "pages": SimpleUploadedFile(FIXTURE.name, FIXTURE.read_bytes())}
    )

    assert form.status_code == 200 and "文件资料" in form.content.decode()
    assert 'data-outcome="would_import"' in dry.content.decode() and "閱讀次數(" in dry.content.decode()
    assert 'data-outcome="imported"' in real.content.decode()
    assert Article.objects.unscoped("test").get().created_by_id == approver.pk


def test_the_upload_page_is_closed_to_an_editor_without_the_right_to_publish(client, files_column, tree):
    county_approver = user_with_role("association_officer", tree.county, username="xian")
    editor = user_with_role("portal_editor", tree.province, username="bianji")
    upload = {"column": files_column.pk, "pages": SimpleUploadedFile(FIXTURE.name, FIXTURE.read_bytes())}

    client.force_login(editor)
    assert client.get(reverse("portal:manage_legacy")).status_code in (403, 404)
    client.force_login(county_approver)
    response = client.post(reverse("portal:manage_legacy"), upload)

    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Article.objects.unscoped("test").exists()
