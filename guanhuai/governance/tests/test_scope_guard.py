"""The scope guard over the voter roll (`RollEntry`: a person and their household on a meeting's roll). A roll
listed without scoping is an error while the guard is armed (every request in the tests), not a leak; the
roll read from a meeting in scope (`meeting.roll`, the selectors and services) passes; another county's
officer finds neither the meeting nor its roll, on the pages or through the API: the same 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.core.scopes import ScopedManager, UnscopedQuery, armed
from guanhuai.governance import selectors, services
from guanhuai.governance.models import RollEntry
from guanhuai.governance.tests.factories import MeetingFactory, adults


@pytest.fixture
def meeting(tree, people):
    adults(tree.village_a, 4)
    meeting = MeetingFactory(
        unit=tree.village_a, created_by=people.clerk_a, scheduled_at=timezone.now() + dt.timedelta(days=12)
    )
    services.roll_build(actor=people.clerk_a, meeting=meeting)
    services.meeting_convene(actor=people.clerk_a, meeting=meeting, agenda="议事")
    return meeting


@pytest.fixture
def elsewhere(tree):
    return user_with_role("governance_officer", tree.other_county, username="gov_other_county")


def test_a_bare_list_of_the_roll_is_an_error_while_armed(meeting):
    assert isinstance(RollEntry._default_manager, ScopedManager)
    with armed(), pytest.raises(UnscopedQuery, match="RollEntry"):
        list(RollEntry.objects.filter(meeting=meeting))
    with armed(), pytest.raises(UnscopedQuery, match="RollEntry"):
        RollEntry.objects.count()
    with armed():
        assert meeting.roll.count() == 4  # reached from a meeting read through scoping
        assert RollEntry.objects.unscoped("a test's own count").count() == 4


def test_the_roll_shows_to_the_villages_clerk_through_the_selectors_and_pages(client, api, meeting, people):
    # given a meeting read through scoping
    with armed():
        mine = selectors.meeting_get(actor=people.clerk_a, meeting_id=meeting.pk)
        names = [e.name for e in selectors.roll(meeting=mine)]
        counted = selectors.quorum_counted(mine)
    assert len(names) == 4 and counted.roll_size == 4
    entry = RollEntry.objects.order_by("pk").first()
    # then the clerk finds a person on the sign-in page and signs them in by code through the API
    client.force_login(people.clerk_a)
    found = client.get(f"/governance/meetings/{meeting.pk}/sign-in/", {"q": entry.name})
    assert found.status_code == 200 and entry.code in found.content.decode()
    assert client.get(f"/governance/meetings/{meeting.pk}/slips/").status_code == 200
    signed = api(people.clerk_a).post(f"/governance/meetings/{meeting.pk}/sign-in", {"code": entry.code})
    assert signed.status_code == 200 and signed.data["entry_id"] == entry.pk


def test_another_countys_officer_sees_no_roll_on_the_pages_or_the_api(client, api, meeting, elsewhere):
    entry = RollEntry.objects.order_by("pk").first()
    client.force_login(elsewhere)
    for path in ["", "sign-in/", "slips/", "quorum/"]:
        assert client.get(f"/governance/meetings/{meeting.pk}/{path}", {"q": entry.name}).status_code == 404
    assert (
        client.post(f"/governance/meetings/{meeting.pk}/sign-in/record/", {"code": entry.code}).status_code
        == 404
    )
    other = api(elsewhere)
    assert other.get(f"/governance/meetings/{meeting.pk}/quorum").status_code == 404
    assert other.post(f"/governance/meetings/{meeting.pk}/sign-in", {"code": entry.code}).status_code == 404
    with armed():
        assert not selectors.meeting_list(actor=elsewhere).exists()
    entry.refresh_from_db()
    assert entry.signed_in_at is None
