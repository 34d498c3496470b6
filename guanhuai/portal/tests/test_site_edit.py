"""A site's name and footer contacts are changed on a page or over the API, by whoever manages the
province's sites: the public footer shows the change at once (the page cache moves on), each change is
audited with its old and new value, a bad email is refused beside its field, and another branch's staff
get the same 404 as for a missing site."""

from __future__ import annotations

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.portal.models import Site


@pytest.fixture
def admin(tree):
    return user_with_role("province_admin", tree.province, username="sheng_guanli")


def test_new_contacts_show_in_the_public_footer_at_once_and_are_audited(
    client, portal, admin, django_capture_on_commit_callbacks
):
    assert "020-83000000" in client.get("/gk/gd/").content.decode()  # now cached
    client.force_login(admin)
    form = client.get(f"/portal/manage/sites/{portal.site.pk}/edit/").content.decode()
    assert 'value="020-83000000"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/portal/manage/sites/{portal.site.pk}/edit/",
            {"name": "广东省计划生育协会", "phone": "020-87654321", "address": "广州市越秀区",
             "postcode": "510000", "email": "", "record_no": "", "traditional": "s2hk", "is_active": "on"},
            follow=True,
        )  # fmt: skip
    assert "已保存" in response.content.decode()
    footer = client.get("/gk/gd/").content.decode()
    assert "020-87654321" in footer and "020-83000000" not in footer
    entry = AuditEntry.objects.get(action="portal.site.saved")
    assert entry.data["changes"]["phone"] == {"old": "020-83000000", "new": "020-87654321"}
    assert set(entry.data["changes"]) == {"phone", "address", "postcode", "traditional"}


def test_saving_without_a_change_writes_nothing(client, portal, admin):
    site = portal.site
    client.force_login(admin)
    response = client.post(
        f"/portal/manage/sites/{site.pk}/edit/",
        {"name": site.name, "phone": site.phone, "address": site.address, "postcode": site.postcode,
         "email": site.email, "record_no": site.record_no, "traditional": site.traditional, "is_active": "on"},
        follow=True,
    )  # fmt: skip
    assert "没有改动" in response.content.decode()
    assert not AuditEntry.objects.filter(action="portal.site.saved").exists()


def test_a_bad_email_is_refused_beside_its_field_and_changes_nothing(client, portal, admin):
    client.force_login(admin)
    response = client.post(
        f"/portal/manage/sites/{portal.site.pk}/edit/",
        {"name": "改了名", "email": "不是邮箱", "traditional": "s2t", "is_active": "on"},
    )
    assert response.status_code == 200 and "有效的 Email 地址" in response.content.decode()
    assert Site.objects.get(pk=portal.site.pk).name == "广东省计划生育协会"


def test_an_editor_cannot_change_a_site_and_another_county_sees_a_404(client, portal):
    client.force_login(portal.editor)  # may write articles, not manage sites
    assert client.get(f"/portal/manage/sites/{portal.site.pk}/edit/").status_code == 404
    client.force_login(portal.county_editor)
    assert client.get(f"/portal/manage/sites/{portal.site.pk}/").status_code == 404


def test_the_api_changes_only_the_fields_sent(api, portal, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(admin).patch(f"/portal/sites/{portal.site.pk}", {"record_no": "粤ICP备12345678号"})
    assert answer.status_code == 200, answer.data
    assert answer.data["record_no"] == "粤ICP备12345678号" and answer.data["phone"] == "020-83000000"
    bad = api(admin).patch(f"/portal/sites/{portal.site.pk}", {"email": "not-an-email"})
    assert bad.status_code == 422 and bad.data["code"] == "email"
    assert api(portal.editor).patch(f"/portal/sites/{portal.site.pk}", {"name": "x"}).status_code == 403
    assert api(portal.county_editor).get(f"/portal/sites/{portal.site.pk}").status_code == 404
    listed = api(portal.county_editor).get("/portal/sites").data["items"]
    assert [s["slug"] for s in listed] == ["renhua"]
