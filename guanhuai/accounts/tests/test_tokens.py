"""The API tokens page: list, create (the plain token shown once), revoke; and what a token then allows."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts import services
from guanhuai.accounts.models import ApiToken

TOKENS = "/accounts/me/tokens/"


def test_create_shows_the_plain_token_once_and_stores_only_a_digest(login, tree, people):
    client = login(people.reviewer_a)
    response = client.post(TOKENS, {"name": "县级报表同步", "expires_on": ""})
    # POST-redirect-GET: reloading the page that shows the token does not post again
    assert (response.status_code, response["Location"]) == (302, TOKENS)
    response = client.get(TOKENS)
    page = response.content.decode()
    token = ApiToken.objects.get(user=people.reviewer_a)
    plain = response.context["plain"]
    assert plain.startswith("gh_") and plain in page
    assert "只显示这一次" in page and "已创建" in page
    assert response["Cache-Control"] == "no-store"
    assert token.digest != plain and plain not in token.digest and token.prefix == plain[:10]
    # Shown once: a reload has the prefix, never the token, and made no second token.
    page = client.get(TOKENS).content.decode()
    assert plain not in page and token.prefix in page and "县级报表同步" in page
    assert ApiToken.objects.filter(user=people.reviewer_a).count() == 1
    # …and the token works against the API.
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 200 and me.json()["username"] == "reviewer_a"


def test_create_with_an_expiry_date_lasts_through_that_day(login, tree, people):
    day = timezone.localdate() + dt.timedelta(days=30)
    login(people.reviewer_a).post(TOKENS, {"name": "临时", "expires_on": day.isoformat()})
    token = ApiToken.objects.get(user=people.reviewer_a)
    assert timezone.localtime(token.expires_at).date() == day + dt.timedelta(days=1)
    assert timezone.localtime(token.expires_at).time() == dt.time.min


def test_create_with_a_past_expiry_or_no_name_is_refused(login, tree, people):
    client = login(people.reviewer_a)
    yesterday = timezone.localdate() - dt.timedelta(days=2)
    assert (
        "过期时间必须晚于现在"
        in client.post(TOKENS, {"name": "x", "expires_on": yesterday.isoformat()}).content.decode()
    )
    assert "这个字段是必填项" in client.post(TOKENS, {"name": "  "}).content.decode()
    assert not ApiToken.objects.exists()


def test_list_shows_only_my_tokens(login, tree, people):
    services.token_create(actor=people.reviewer_b, name="乙镇的令牌")
    services.token_create(actor=people.reviewer_a, name="甲镇的令牌")
    page = login(people.reviewer_a).get(TOKENS).content.decode()
    assert "甲镇的令牌" in page and "乙镇的令牌" not in page


def test_revoke_my_token_and_it_stops_working(login, tree, people):
    token, plain = services.token_create(actor=people.reviewer_a, name="手机")
    client = login(people.reviewer_a)
    url = reverse("accounts:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "令牌“手机”已撤销" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert "该令牌已撤销" in client.post(url, follow=True).content.decode()


def test_cannot_revoke_someone_elses_token(login, tree, people):
    token, _plain = services.token_create(actor=people.reviewer_b, name="乙")
    assert login(people.admin).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
