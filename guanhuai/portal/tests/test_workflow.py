"""The publishing workflow as editors and approvers meet it: an editor drafts and submits, an approver at
the same branch publishes, never the author; a time in the past publishes now and says so; a withdrawn
article leaves the public site at once (the page cache too) and stays in the archive; another county's
staff cannot touch the province's articles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from guanhuai.portal import selectors, services
from guanhuai.portal.models import Article
from guanhuai.portal.states import ArticleStatus, BodyFormat


@pytest.fixture
def draft(portal):
    return services.article_create(
        actor=portal.editor,
        column=portal.news,
        title="省计生协召开生育关怀工作会议",
        body_source="会议要求：\n\n一、加强关怀。",
    )


def submitted(portal, draft):
    return services.article_submit(actor=portal.editor, article=draft)


def test_an_editor_drafts_submits_and_an_approver_publishes(
    client, portal, draft, django_capture_on_commit_callbacks
):
    assert draft.status == ArticleStatus.DRAFT
    assert "<p>一、加强关怀。</p>" in draft.body
    submitted(portal, draft)

    with django_capture_on_commit_callbacks(execute=True):
        past = services.article_publish(actor=portal.approver, article=draft)

    draft.refresh_from_db()
    assert past is False
    assert draft.status == ArticleStatus.PUBLISHED and draft.approved_by == portal.approver
    assert client.get(f"/gk/gd/a/{draft.code}/").status_code == 200
    actions = list(
        AuditEntry.objects.filter(object_id=str(draft.pk)).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["portal.article.created", "portal.article.submitted", "portal.article.published"]


def test_the_author_may_not_publish_their_own_article_even_holding_both_roles(portal, draft, tree):
    submitted(portal, draft)
    both = user_with_role("portal_editor", tree.province, username="both")
    from guanhuai.accounts.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=both, org_unit=tree.province, role="association_officer")
    own = services.article_create(actor=both, column=portal.news, title="自己写的")
    services.article_submit(actor=both, article=own)

    with pytest.raises(PermissionDenied) as refused:
        services.article_publish(actor=both, article=own)

    assert refused.value.code == "same_person"
    own.refresh_from_db()
    assert own.status == ArticleStatus.PENDING


def test_an_editor_without_the_approver_role_cannot_publish(portal, draft):
    submitted(portal, draft)
    with pytest.raises(PermissionDenied):
        services.article_publish(actor=portal.editor, article=draft)


def test_an_approver_of_another_branch_cannot_see_or_publish(portal, draft):
    submitted(portal, draft)
    with pytest.raises(NotFound):
        selectors.article_get(actor=portal.county_approver, id=draft.pk)
    with pytest.raises(NotFound):
        services.article_publish(actor=portal.county_approver, article=draft)


def test_a_draft_cannot_be_published_without_being_submitted(portal, draft):
    with pytest.raises(InvalidTransition):
        services.article_publish(actor=portal.approver, article=draft)


def test_a_publish_time_in_the_past_publishes_now_and_says_so(portal, draft):
    submitted(portal, draft)
    past = services.article_publish(
        actor=portal.approver, article=draft, publish_at=timezone.now() - dt.timedelta(days=3)
    )
    draft.refresh_from_db()
    assert past is True
    assert draft.status == ArticleStatus.PUBLISHED
    assert timezone.now() - draft.publish_at < dt.timedelta(minutes=1)


def test_a_scheduled_article_is_public_from_its_time_and_the_job_marks_it_published(client, portal, draft):
    submitted(portal, draft)
    when = timezone.now() + dt.timedelta(hours=2)
    assert services.article_publish(actor=portal.approver, article=draft, publish_at=when) is False
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.SCHEDULED
    assert client.get(f"/gk/gd/a/{draft.code}/").status_code == 404

    Article.objects.filter(pk=draft.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"/gk/gd/a/{draft.code}/").status_code == 200
    assert services.articles_publish_due() == 1
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.PUBLISHED
    assert services.articles_publish_due() == 0


def test_withdrawal_takes_the_article_off_at_once_even_from_the_cache(
    client, portal, draft, django_capture_on_commit_callbacks
):
    submitted(portal, draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=portal.approver, article=draft)
    url = f"/gk/gd/a/{draft.code}/"
    assert client.get(url).status_code == 200
    assert client.get(url)["X-Portal-Cache"] == "hit"
    assert draft.title in client.get("/gk/gd/c/xhdt/").content.decode()

    with pytest.raises(ValidationError):
        services.article_withdraw(actor=portal.approver, article=draft, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(actor=portal.approver, article=draft, reason="文中数字有误，更正后重发")

    assert client.get(url).status_code == 404
    assert draft.title not in client.get("/gk/gd/c/xhdt/").content.decode()
    kept = selectors.article_get(actor=portal.editor, id=draft.pk)
    assert kept.status == ArticleStatus.WITHDRAWN and kept.withdrawn_reason == "文中数字有误，更正后重发"
    with pytest.raises(InvalidTransition):
        services.article_withdraw(actor=portal.approver, article=kept, reason="再撤一次")


def test_a_pending_article_edited_goes_back_to_draft(portal, draft):
    submitted(portal, draft)
    services.article_update(actor=portal.editor, article=draft, title="改过的标题")
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT and draft.title == "改过的标题"


def test_a_published_article_cannot_be_edited_in_place(portal, draft):
    submitted(portal, draft)
    services.article_publish(actor=portal.approver, article=draft)
    with pytest.raises(ValidationError):
        services.article_update(actor=portal.editor, article=draft, title="悄悄改")


def test_a_returned_article_carries_the_note_back_to_the_editor(portal, draft):
    submitted(portal, draft)
    with pytest.raises(ValidationError):
        services.article_return(actor=portal.approver, article=draft, note="")
    services.article_return(actor=portal.approver, article=draft, note="请补充会议时间")
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT and draft.return_note == "请补充会议时间"


def test_an_unsafe_body_is_stored_as_written_but_published_clean(portal):
    article = services.article_create(
        actor=portal.editor,
        column=portal.news,
        title="带脚本的稿件",
        body_format=BodyFormat.HTML,
        body_source='<p>正文</p><script>alert(1)</script><iframe src="https://evil.example/"></iframe>',
    )
    assert "<script>" in article.body_source
    assert "<script" not in article.body and "<iframe" not in article.body


def test_a_county_editor_drafts_only_in_the_county_site(portal):
    with pytest.raises(NotFound):
        selectors.column_get(actor=portal.county_editor, id=portal.news.pk)
    with pytest.raises((NotFound, PermissionDenied)):
        services.article_create(actor=portal.county_editor, column=portal.news, title="越权")
    own = services.article_create(actor=portal.county_editor, column=portal.county_news, title="县里的动态")
    assert own.site == portal.county_site
    assert list(selectors.article_list(actor=portal.county_editor)) == [own]


def test_expiry_before_publication_is_refused(portal, draft):
    submitted(portal, draft)
    services.article_update(
        actor=portal.editor, article=draft, expire_at=timezone.now() + dt.timedelta(hours=1)
    )
    services.article_submit(actor=portal.editor, article=draft)
    with pytest.raises(ValidationError) as refused:
        services.article_publish(
            actor=portal.approver, article=draft, publish_at=timezone.now() + dt.timedelta(days=1)
        )
    assert refused.value.code == "expire_at"
