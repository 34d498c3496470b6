"""Part 1's pages: scope, refusals shown on the form with nothing changed, the branch page's history, and
the member list's query count that does not grow with the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.association import services
from guanhuai.association.models import Member, Seat
from guanhuai.association.states import BodyKind, Position
from guanhuai.association.tests.factories import MemberFactory
from guanhuai.orgs.services import unit_create
from guanhuai.registry.tests.factories import make_id


@pytest.fixture
def officer(tree):
    return user_with_role("association_officer", tree.county, username="xiehui_p")


def test_a_village_chair_sees_only_their_villages_members(client, tree):
    chair_b = user_with_role("village_clerk", tree.village_b, username="chair_pb")
    a = MemberFactory(org_unit=tree.village_a, name="甲村会员")
    b = MemberFactory(org_unit=tree.village_b, name="乙村会员")
    client.force_login(chair_b)
    page = client.get("/association/members/").content.decode()
    assert "乙村会员" in page and "甲村会员" not in page
    assert client.get(f"/association/members/{a.pk}/").status_code == 404
    assert client.get(f"/association/members/{b.pk}/").status_code == 200
    assert client.get(f"/association/units/{tree.village_a.pk}/").status_code == 404


def test_the_member_list_costs_the_same_queries_for_a_short_and_a_long_page(client, tree, officer):
    client.force_login(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/association/members/").status_code == 200
        return len(ctx.captured_queries)

    MemberFactory.create_batch(2, org_unit=tree.village_a)
    queries()  # the first page view of a session also saves the session
    few = queries()
    MemberFactory.create_batch(40, org_unit=tree.village_b)
    assert queries() == few


def test_a_bad_id_checksum_is_shown_beside_the_field_and_nothing_is_created(client, tree, officer):
    client.force_login(officer)
    good = make_id("1975-03-04")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        f"/association/units/{tree.village_a.pk}/members/new/",
        {"kind": "individual", "id_number": bad, "joined_on": "2025-05-29"},
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert not Member.objects.exists()


def test_the_branch_page_shows_who_held_which_post_when_and_the_enterprise_association(
    client, tree, officer, people
):
    enterprise = unit_create(
        actor=people.admin,
        parent=tree.town_a,
        code="440224100901",
        name="甲镇工业园企业计生协",
        level="village",
        kind="enterprise",
    )
    old = services.body_term_open(
        actor=officer, org_unit=tree.town_a, kind=BodyKind.COUNCIL, started_on=dt.date(2016, 5, 1), term=4
    )
    services.seat_designate(
        actor=officer,
        body=old,
        position=Position.PRESIDENT,
        name="陈老会长",
        designated_on=dt.date(2016, 5, 1),
    )
    new = services.body_term_open(
        actor=officer, org_unit=tree.town_a, kind=BodyKind.COUNCIL, started_on=dt.date(2021, 5, 1)
    )
    services.seat_designate(
        actor=officer,
        body=new,
        position=Position.PRESIDENT,
        name="林新会长",
        designated_on=dt.date(2021, 5, 1),
    )
    client.force_login(officer)
    page = client.get(f"/association/units/{tree.town_a.pk}/").content.decode()
    assert "第5届理事会" in page and "第4届理事会" in page
    assert "陈老会长" in page and "2016-05-01 – 2021-04-30" in page
    assert "林新会长" in page
    assert "甲镇工业园企业计生协" in page
    # the enterprise association's members count in its township's statistics
    MemberFactory(org_unit=enterprise)
    MemberFactory(org_unit=tree.village_a)
    page = client.get(f"/association/units/{tree.town_a.pk}/").content.decode()
    assert "在册 2 名" in page


def test_a_ceased_date_before_designation_is_refused_on_the_form(client, tree, officer):
    body = services.body_term_open(
        actor=officer, org_unit=tree.town_a, kind=BodyKind.COUNCIL, started_on=dt.date(2021, 5, 1)
    )
    client.force_login(officer)
    response = client.post(
        f"/association/bodies/{body.pk}/seats/new/",
        {
            "position": "secretary_general",
            "name": "王",
            "designated_on": "2022-01-01",
            "ceased_on": "2021-12-01",
        },
    )
    assert response.status_code == 200
    assert "离任日期 2021-12-01 早于任职日期 2022-01-01" in response.content.decode()
    assert not Seat.objects.exists()


def test_an_enterprise_association_is_a_branch_below_its_geographic_parent_and_scoped_like_it(
    client, tree, people
):
    from guanhuai.core.errors import ValidationError as Refused

    # under a county it sits at township level; a county-level enterprise association is refused
    enterprise = unit_create(
        actor=people.admin,
        parent=tree.county,
        code="440224901000",
        name="丹霞冶炼厂计生协",
        level="township",
        kind="enterprise",
    )
    with pytest.raises(Refused, match="类型与级别不符"):
        unit_create(
            actor=people.admin,
            parent=tree.city,
            code="440299",
            name="某企业计生协",
            level="county",
            kind="enterprise",
        )
    member = MemberFactory(org_unit=enterprise)
    county_officer = user_with_role("association_officer", tree.county, username="xiehui_e")
    township_officer = user_with_role("association_officer", tree.town_a, username="xiehui_t")
    client.force_login(county_officer)
    assert client.get(f"/association/members/{member.pk}/").status_code == 200
    client.force_login(township_officer)
    assert client.get(f"/association/members/{member.pk}/").status_code == 404
