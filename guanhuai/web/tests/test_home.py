"""The home page is each role's own work queue: only the items the role's permissions cover, counts
within its scope, links to the exact list, and a query count that does not grow with the data."""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.testing import assert_queries_flat
from guanhuai.funds.tests.factories import fund as fund_factory
from guanhuai.programmes.models import Application
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.states import ApplicationStatus, Step
from guanhuai.programmes.tests.factories import build_apps
from guanhuai.registry.tests.factories import family


@pytest.fixture
def apps(tree, people, settings, tmp_path):
    return build_apps(tree, people)


def tiles(client, user) -> dict[str, tuple[int, str]]:
    """The home page's work items as {key: (count, link)}."""
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    found = re.findall(
        r'<a class="card[^"]*work-item[^"]*" href="([^"]*)" data-key="([^"]+)" data-count="(\d+)"', body
    )
    return {key: (int(n), href.replace("&amp;", "&")) for href, key, n in found}


_house = itertools.count(100)


def at_township(apps, people, n: int = 1) -> list[Application]:
    """`n` applications of 甲村 waiting at the township step (written directly: the review path has its own
    tests; the home page only counts)."""
    out = []
    for _ in range(n):
        person = family(people.clerk_a, apps.head.org_unit, address=f"甲村{next(_house)}号").members.first()
        a, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=person)
        a = svc.application_submit(actor=people.clerk_a, application=a)
        Application.objects.filter(pk=a.pk).update(step=Step.TOWNSHIP)
        out.append(a)
    return out


def test_the_clerk_sees_her_own_work_and_no_township_or_county_tiles(client, apps, people):
    # given a returned application and a draft in 甲村
    draft, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    back, _created = svc.application_create(actor=people.clerk_a, programme=apps.couple, person=apps.spouse)
    Application.objects.filter(pk=back.pk).update(status=ApplicationStatus.RETURNED)

    found = tiles(client, people.clerk_a)

    assert found["programmes.returned"] == (1, "/programmes/applications/?status=returned")
    assert found["programmes.drafts"][0] == 1 and draft.status == "draft"
    assert "programmes.review.village" in found  # the village clerk also reviews at the village step
    assert not any(k in found for k in ("programmes.review.township", "programmes.review.county"))
    assert "programmes.flagged" not in found and "programmes.cycles_to_generate" not in found
    assert "registry.sensitive_reads" not in found and "funds.periods_to_close" not in found
    assert any(k.startswith("programmes.missed.") for k in found)
    assert found["programmes.grievances_overdue"] == (0, "/programmes/applications/grievances/?overdue=1")


def test_the_township_reviewer_sees_her_step_only_within_her_township(client, apps, people, tree):
    at_township(apps, people, 2)
    other, _created = svc.application_create(actor=apps.clerk_b, programme=apps.programme, person=apps.other)
    other = svc.application_submit(actor=apps.clerk_b, application=other)
    Application.objects.filter(pk=other.pk).update(step=Step.TOWNSHIP)  # 乙镇's, not 甲镇's

    found = tiles(client, people.reviewer_a)

    assert found["programmes.review.township"] == (2, "/programmes/?step=township")
    assert "programmes.review.county" not in found
    assert "programmes.returned" not in found and "programmes.drafts" not in found
    assert "programmes.flagged" not in found  # re-confirmation flags are the county's decision
    assert tiles(client, people.reviewer_b)["programmes.review.township"][0] == 1


def test_the_approver_sees_approvals_and_flagged_enrolments(client, apps, people):
    found = tiles(client, people.approver)

    assert "programmes.review.county" in found
    assert found["programmes.flagged"] == (0, "/programmes/enrolments/flagged/")
    assert "programmes.cycles_to_approve" in found
    assert "programmes.returned" not in found and "programmes.review.township" not in found


def test_the_auditor_sees_sensitive_reads_and_voided_receipts_only(client, apps, people):
    found = tiles(client, people.auditor)

    assert set(found) == {"registry.sensitive_reads", "funds.voided_receipts"}
    assert found["registry.sensitive_reads"][1].startswith("/audit/?action=registry.person.unmasked&since=")


def test_finance_and_fund_manager_see_money_work(client, tree, people):
    # given a fund of 仁化县 founded long ago, its last month not closed
    manager = user_with_role("fund_manager", tree.county, username="jijin_t")
    finance = user_with_role("finance_officer", tree.county, username="caiwu_t")
    the_fund = fund_factory(manager, tree.county)

    money = tiles(client, finance)
    assert {
        "programmes.cycles_to_generate",
        "programmes.batches.created",
        "programmes.batches.exported",
    } <= set(money)
    assert "programmes.review.township" not in money and "funds.allocations_near_limit" not in money

    found = tiles(client, manager)
    assert found["funds.periods_to_close"] == (1, f"/funds/{the_fund.pk}/close-period/")
    assert found["funds.allocations_near_limit"][0] == 0
    assert "programmes.batches.created" not in found and "programmes.review.county" not in found


def test_a_user_without_roles_is_told_so(client, db, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client.force_login(user)

    body = client.get(reverse("home")).content.decode()

    assert 'id="no-work"' in body and "还没有任何有效的角色授权" in body


def queued(response) -> int:
    """All the work the home page counts, over its tiles."""
    return sum(int(n) for n in re.findall(r'data-count="(\d+)"', response.content.decode()))


def test_the_home_page_query_count_does_not_grow_with_the_queue(client, apps, people):
    at_township(apps, people, 1)
    client.force_login(people.reviewer_a)
    assert_queries_flat(
        lambda: client.get(reverse("home")), lambda: at_township(apps, people, 12), most=16, shown=queued
    )


def test_the_clerks_home_query_count_does_not_grow_with_the_village(client, apps, people):
    # 应享未享 is one count per programme: more villagers and more applications add no query
    def grow() -> None:
        at_township(apps, people, 8)
        svc.application_create(actor=people.clerk_a, programme=apps.couple, person=apps.spouse)

    client.force_login(people.clerk_a)
    assert_queries_flat(lambda: client.get(reverse("home")), grow, most=30, shown=queued)


def test_the_review_desk_shows_only_the_steps_and_tiles_of_the_role(client, apps, people):
    client.force_login(people.clerk_a)
    clerk = client.get(reverse("programmes:home")).content.decode()
    client.force_login(people.approver)
    approver = client.get(reverse("programmes:home")).content.decode()

    # the clerk reviews at the village step only; the county approver at the county step only
    assert (
        'data-step="village"' in clerk
        and 'data-step="township"' not in clerk
        and 'data-step="county"' not in clerk
    )
    assert 'data-step="county"' in approver and 'data-step="village"' not in approver
    # notices and returned applications are the village's work, not the county's
    assert "公示中 / 待结束" in clerk and "公示中 / 待结束" not in approver
    assert "退回待修改 / 我的草稿" not in approver


def test_overdue_grievances_count_and_list_the_same_rows(client, apps, people):
    import datetime as dt

    from django.utils import timezone

    from guanhuai.programmes.models import Grievance
    from guanhuai.programmes.services import grievances

    a, _created = svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    old = grievances.grievance_record(
        actor=people.clerk_a, complainant="王大", content="迟迟没有答复", application=a
    )
    grievances.grievance_record(
        actor=people.clerk_a, complainant="李二", content="刚登记的投诉", application=a
    )
    Grievance.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=16))

    count, link = tiles(client, people.clerk_a)["programmes.grievances_overdue"]
    listed = client.get(link).content.decode()

    assert count == 1
    assert "迟迟没有答复" in listed and "刚登记的投诉" not in listed


def test_notices_to_close_count_and_list_the_same_rows(client, apps, people):
    import datetime as dt

    from django.utils import timezone

    from guanhuai.programmes.models import PublicNotice
    from guanhuai.programmes.services import notices

    a = svc.application_submit(
        actor=people.clerk_a,
        application=svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)[
            0
        ],
    )
    svc.application_review(actor=apps.clerk_a2, application=a, decision="pass")
    assert tiles(client, people.clerk_a)["programmes.notices.to_open"][0] == 1
    notice = notices.notice_open(actor=people.clerk_a, programme=apps.programme, org_unit=a.org_unit)
    assert tiles(client, people.clerk_a)["programmes.notices.to_close"][0] == 0  # still in its 7 days

    today = timezone.localdate()
    PublicNotice.objects.filter(pk=notice.pk).update(
        opens_on=today - dt.timedelta(days=8), closes_on=today - dt.timedelta(days=1)
    )
    count, link = tiles(client, people.clerk_a)["programmes.notices.to_close"]

    assert count == 1
    assert reverse("programmes:notice_detail", args=[notice.pk]) in client.get(link).content.decode()
    assert "programmes.notices.to_close" not in tiles(client, people.approver)
