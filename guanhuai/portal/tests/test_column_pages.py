"""The province admin keeps a site's column tree: renames, moves (with the sub-columns and the public
URLs following), hides, and deletes an empty column; a column with articles is refused with a message.
An editor removes an attachment from the article's edit page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from guanhuai.audit.models import AuditEntry
from guanhuai.portal.models import Column
from guanhuai.portal.states import ArticleStatus
from guanhuai.portal.tests.factories import ArticleFactory, ColumnFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(column, **changes):
    data = {"name": column.name, "slug": column.slug, "position": column.position, "is_active": "on"}
    data["parent"] = column.parent_id or ""
    return {**data, **changes}


def test_moving_a_column_moves_its_sub_columns_and_public_urls(client, portal, people):
    sub = ColumnFactory(site=portal.site, parent=portal.files, name="规范性文件", slug="gfxwj")
    article = ArticleFactory(column=sub, title="关于生育关怀的规范性文件")
    client.force_login(people.admin)
    page = client.get(f"/portal/manage/sites/{portal.site.pk}/").content.decode()
    assert f"/portal/manage/columns/{portal.files.pk}/" in page
    response = client.post(
        f"/portal/manage/columns/{portal.files.pk}/",
        _form(portal.files, parent=portal.notices.pk, name="文件"),
    )
    assert response.status_code == 302
    assert Column.objects.get(pk=portal.files.pk).path == "tzgg/wjzl"
    assert Column.objects.get(pk=sub.pk).path == "tzgg/wjzl/gfxwj"
    assert "关于生育关怀的规范性文件" in client.get("/gk/gd/c/tzgg/wjzl/gfxwj/").content.decode()
    assert client.get("/gk/gd/c/zwgk/wjzl/").status_code == 404
    html = client.get(f"/gk/gd/a/{article.code}/").content.decode()
    assert "通知公告" in html and "文件" in html  # the breadcrumbs follow
    assert AuditEntry.objects.filter(action="portal.column.saved").exists()


def test_a_column_cannot_move_under_its_own_sub_column(client, portal, people):
    client.force_login(people.admin)
    page = client.post(
        f"/portal/manage/columns/{portal.zwgk.pk}/", _form(portal.zwgk, parent=portal.files.pk)
    )
    assert page.status_code == 200  # the form again: the sub-column is not even offered
    assert Column.objects.get(pk=portal.zwgk.pk).path == "zwgk"


def test_a_column_with_articles_is_not_deleted_and_an_empty_one_is(client, portal, people):
    ArticleFactory(column=portal.news, status=ArticleStatus.DRAFT)
    client.force_login(people.admin)
    page = client.post(f"/portal/manage/columns/{portal.news.pk}/delete/", follow=True).content.decode()
    assert "还有文章" in page and Column.objects.filter(pk=portal.news.pk).exists()
    page = client.post(f"/portal/manage/columns/{portal.zwgk.pk}/delete/", follow=True).content.decode()
    assert "还有下级栏目" in page and Column.objects.filter(pk=portal.zwgk.pk).exists()
    client.post(f"/portal/manage/columns/{portal.notices.pk}/delete/")
    assert not Column.objects.filter(pk=portal.notices.pk).exists()
    assert client.get("/gk/gd/c/tzgg/").status_code == 404


def test_an_editor_cannot_change_columns(client, portal):
    client.force_login(portal.editor)
    assert client.get(f"/portal/manage/columns/{portal.news.pk}/").status_code in (403, 404)
    client.post(f"/portal/manage/columns/{portal.notices.pk}/delete/")
    assert Column.objects.filter(pk=portal.notices.pk).exists()


def test_an_editor_removes_an_attachment_from_the_edit_page(client, portal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = ArticleFactory(column=portal.news, status=ArticleStatus.DRAFT, created_by=portal.editor)
    client.force_login(portal.editor)
    client.post(
        f"/portal/manage/articles/{article.pk}/attachments/", {"file": SimpleUploadedFile("通知.pdf", PDF)}
    )
    attachment = article.attachments.get()
    edit = client.get(f"/portal/manage/articles/{article.pk}/edit/").content.decode()
    remove = f"/portal/manage/articles/{article.pk}/attachments/{attachment.pk}/remove/"
    assert remove in edit
    response = client.post(remove, {"back": "edit"}, follow=True)
    assert "已删除" in response.content.decode() and not article.attachments.exists()
    assert response.redirect_chain[-1][0].endswith("/edit/")
