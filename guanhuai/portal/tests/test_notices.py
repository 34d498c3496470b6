"""Public notices (公示) on the portal: when a notice is on the site and when it leaves, what a visitor sees
(masked names only, no staff link), and the online objection: it reaches the village's own records and work
queue like one taken at the counter, is refused after the notice closed, needs the answer to a question,
follows the programme's rule on names, and a flood from one visitor gets 429."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from guanhuai.audit.models import AuditEntry
from guanhuai.core.testing import assert_queries_flat
from guanhuai.portal.tests.factories import SiteFactory
from guanhuai.programmes import work
from guanhuai.programmes.models import Objection, PublicNotice
from guanhuai.programmes.selectors.public import public_ref
from guanhuai.programmes.services import applications as app_svc
from guanhuai.programmes.services import notices as notice_svc
from guanhuai.programmes.tests.factories import build_apps

TODAY = timezone.localdate()


@pytest.fixture
def world(tree, people):
    """A province site (gd), and an open notice of 甲村 naming 王建国 and 李秀英."""
    apps = build_apps(tree, people)
    apps.programme.objection_phone = "0751-6381234"
    apps.programme.save(update_fields=["objection_phone"])
    for person in (apps.head, apps.spouse):
        application, _created = app_svc.application_create(
            actor=people.clerk_a, programme=apps.programme, person=person
        )
        app_svc.application_submit(actor=people.clerk_a, application=application)
        app_svc.application_review(actor=people.reviewer_a, application=application, decision="pass")
    notice = notice_svc.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=tree.village_a)
    site = SiteFactory(unit=tree.province, name="广东省计划生育协会", slug="gd")
    return apps, notice, site


def _move(notice: PublicNotice, opens: int, closes: int) -> None:
    """Put the notice's period at these days from today."""
    PublicNotice.objects.unscoped("a test moves the period").filter(pk=notice.pk).update(
        opens_on=TODAY + dt.timedelta(days=opens), closes_on=TODAY + dt.timedelta(days=closes)
    )


def _url(notice: PublicNotice, *, hant: bool = False) -> str:
    name = "portal:hant_notice" if hant else "portal:notice"
    return reverse(name, kwargs={"site": "gd", "ref": public_ref("notice", notice.pk)})


def _answer(html: str) -> tuple[str, str]:
    """The token and the right answer of the form's question (a person reads it; the test adds)."""
    a, b = re.search(r"(\d+) 加 (\d+) 等[于於]多少", html).groups()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return token, str(int(a) + int(b))


def _file(
    client, notice, *, row=None, content="该户子女仍健在，不符合条件。", hant=False, wrong=False, **extra
):
    page = client.get(_url(notice, hant=hant))
    token, answer = _answer(page.content.decode())
    if row is None:
        row = re.search(r'<option value="([0-9a-f]{12})"', page.content.decode()).group(1)
    data = {
        "row": row,
        "content": content,
        "answer": "99" if wrong else answer,
        "token": token,
        "raised_by": "",
        "contact": "",
        **extra,
    }
    return client.post(_url(notice, hant=hant), data)


# --- visibility --------------------------------------------------------------------------------------------


def test_an_open_notice_is_listed_with_masked_names_and_how_to_object(client, world):
    _apps, notice, _site = world

    listed = client.get(reverse("portal:notices", kwargs={"site": "gd"}))
    page = client.get(_url(notice))

    assert listed.status_code == 200 and notice.title in listed.content.decode()
    html = page.content.decode()
    assert "王**" in html and "李**" in html
    assert "王建国" not in html and "李秀英" not in html
    assert "¥590.00/月" in html
    assert "0751-6381234" in html and "甲村" in html
    assert 'name="content"' in html  # the form is offered while the notice takes objections


@pytest.mark.parametrize(
    ("opens", "closes", "shown", "form"),
    [
        (1, 7, False, False),  # not yet open
        (-6, 0, True, True),  # its last day
        (-8, -1, True, False),  # ended yesterday: within the grace period, marked as ended
        (-10, -3, True, False),  # the last day of the grace period (3 days)
        (-10, -4, False, False),  # past the grace period: gone
    ],
)
def test_a_notice_is_on_the_site_from_its_first_day_to_the_end_of_the_grace_period(
    client, world, opens, closes, shown, form
):
    _apps, notice, _site = world
    _move(notice, opens, closes)

    listed = client.get(reverse("portal:notices", kwargs={"site": "gd"})).content.decode()
    page = client.get(_url(notice))

    assert (notice.title in listed) is shown
    assert page.status_code == (200 if shown else 404)
    if shown:
        assert ('name="content"' in page.content.decode()) is form
        assert ("公示期已结束" in page.content.decode()) is (not form)


def test_the_grace_period_is_a_setting(client, world, settings):
    _apps, notice, _site = world
    _move(notice, -10, -4)
    settings.GUANHUAI_PORTAL_NOTICE_GRACE_DAYS = 5

    assert client.get(_url(notice)).status_code == 200


def test_a_notice_of_another_branch_is_not_on_a_county_site(client, world, tree):
    _apps, notice, _site = world
    SiteFactory(unit=tree.other_county, slug="shixing")

    listed = client.get(reverse("portal:notices", kwargs={"site": "shixing"}))
    probe = client.get(
        reverse("portal:notice", kwargs={"site": "shixing", "ref": public_ref("notice", notice.pk)})
    )

    assert notice.title not in listed.content.decode()
    assert probe.status_code == 404


def test_notice_pages_show_no_staff_link_and_no_internal_id(client, world):
    _apps, notice, _site = world

    for url in (reverse("portal:notices", kwargs={"site": "gd"}), _url(notice), _url(notice, hant=True)):
        html = client.get(url).content.decode()
        assert "/programmes/" not in html and "/portal/manage" not in html and "/admin" not in html
        assert f"/{notice.pk}/" not in html
        assert "王建国" not in html and "王建國" not in html


# --- the online objection ------------------------------------------------------------------------------


def test_an_online_objection_reaches_the_village_queue_as_one_taken_at_the_counter(client, world, people):
    apps, notice, _site = world
    before = {i.key: i.count for i in work.notices(people.clerk_a)}["programmes.notices.objections"]

    response = _file(client, notice, content="王家儿子在广州工作，并未去世。")

    assert response.status_code == 302 and "filed=1" in response["Location"]
    objection = Objection.objects.get()
    assert (objection.channel, objection.recorded_by_id, objection.status) == ("online", None, "open")
    assert objection.application.person_id in (apps.head.pk, apps.spouse.pk)
    assert objection.content == "王家儿子在广州工作，并未去世。"
    # the village clerk's work queue counts it, and the staff notice page lists it, marked as online
    after = {i.key: i.count for i in work.notices(people.clerk_a)}["programmes.notices.objections"]
    assert after == before + 1
    client.force_login(people.clerk_a)
    staff = client.get(reverse("programmes:notice_detail", args=[notice.pk])).content.decode()
    assert "王家儿子在广州工作" in staff and "网上提交" in staff
    # audited in the village, with no clerk as actor
    entry = AuditEntry.objects.get(action="programmes.objection.recorded")
    assert (entry.actor_id, entry.org_unit_id, entry.data["channel"]) == (
        None,
        apps.head.org_unit_id,
        "online",
    )


def test_a_filed_objection_can_be_resolved_by_the_village_as_any_other(client, world, people):
    _apps, notice, _site = world
    _file(client, notice)
    objection = Objection.objects.get()

    notice_svc.objection_resolve(
        actor=people.reviewer_a, objection=objection, upheld=False, resolution="核实不属实"
    )

    objection.refresh_from_db()
    assert objection.status == "dismissed"


def test_an_objection_after_the_notice_closed_is_refused_and_writes_nothing(client, world):
    _apps, notice, _site = world
    page = client.get(_url(notice))
    token, answer = _answer(page.content.decode())
    row = re.search(r'<option value="([0-9a-f]{12})"', page.content.decode()).group(1)
    _move(notice, -8, -1)  # the notice ended while the visitor was writing

    response = client.post(
        _url(notice), {"row": row, "content": "迟到的异议", "answer": answer, "token": token}
    )

    assert response.status_code == 409
    assert "公示期" in response.content.decode() and "已过" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_wrong_answer_is_refused_and_writes_nothing(client, world):
    _apps, notice, _site = world

    response = _file(client, notice, wrong=True)

    assert response.status_code == 422
    assert "验证问题回答不正确" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_question_is_good_for_one_objection(client, world):
    _apps, notice, _site = world
    page = client.get(_url(notice))
    token, answer = _answer(page.content.decode())
    row = re.search(r'<option value="([0-9a-f]{12})"', page.content.decode()).group(1)
    data = {"row": row, "content": "一", "answer": answer, "token": token}

    first = client.post(_url(notice), data)
    replay = client.post(_url(notice), data)

    assert first.status_code == 302 and replay.status_code == 422
    assert Objection.objects.count() == 1


def test_a_programme_that_requires_names_refuses_an_anonymous_objection(client, world):
    apps, notice, _site = world
    apps.programme.objection_identity = "required"
    apps.programme.save(update_fields=["objection_identity"])

    anonymous = _file(client, notice)
    named = _file(client, notice, raised_by="陈大文", contact="13800138000")

    assert anonymous.status_code == 422 and not Objection.objects.filter(raised_by="").exists()
    assert named.status_code == 302
    assert Objection.objects.get().raised_by == "陈大文"


def test_a_row_that_is_not_in_the_notice_is_refused(client, world):
    _apps, notice, _site = world

    response = _file(client, notice, row="0123456789ab")

    assert response.status_code == 422
    assert not Objection.objects.exists()


def test_a_flood_of_objections_from_one_visitor_gets_429(client, world, settings):
    _apps, notice, _site = world
    settings.GUANHUAI_RATE_LIMITS = {"objection": ("3/h", "3/h")}

    codes = [_file(client, notice, content=f"第{i}条").status_code for i in range(5)]

    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]
    assert Objection.objects.count() == 3


def test_an_objection_in_traditional_is_stored_as_written(client, world):
    _apps, notice, _site = world

    page = client.get(_url(notice, hant=True)).content.decode()
    response = _file(client, notice, hant=True, content="該戶收入較高。")

    assert "網上提出異議" in page and "王**" in page
    assert response.status_code == 302 and "/gk/hant/gd/" in response["Location"]
    assert Objection.objects.get().content == "該戶收入較高。"


def test_the_notice_list_takes_the_same_queries_whatever_the_number_of_notices(client, world, people, tree):
    apps, _notice, _site = world

    def fetch():
        cache.clear()  # the page cache would answer the second fetch without a query
        return client.get(reverse("portal:notices", kwargs={"site": "gd"}))

    def grow():
        application, _created = app_svc.application_create(
            actor=apps.clerk_b, programme=apps.programme, person=apps.other
        )
        app_svc.application_submit(actor=apps.clerk_b, application=application)
        app_svc.application_review(actor=people.reviewer_b, application=application, decision="pass")
        notice_svc.notice_open(actor=apps.clerk_b, programme=apps.programme, org_unit=tree.village_b)

    assert_queries_flat(fetch, grow, most=12, row="<li>")
