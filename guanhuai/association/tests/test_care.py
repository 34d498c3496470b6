"""Special-family care: the "三个全覆盖" coverage report and its gaps follow the registry and the pairings;
bad input is refused with a precise message and changes nothing; visits are audited when opened; overdue
follow-ups reach their owner's queue; scope holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.association import services
from guanhuai.association.models import CareArrangement, Visit
from guanhuai.association.selectors import care as selectors
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import DomainError, NotFound
from guanhuai.registry.services import death_record
from guanhuai.registry.tests.factories import family

TODAY = timezone.localdate()


def _cover(actor, household, kind, **kw):
    defaults = {
        "liaison": {"liaison_level": "township", "person_name": "赵专干"},
        "doctor": {"person_name": "孙医生", "institution": "甲镇卫生院"},
        "fast_lane": {"institution": "仁化县人民医院"},
    }[kind]
    return services.care_arrangement_add(
        actor=actor, household=household, kind=kind, **{"starts_on": dt.date(2026, 1, 1), **defaults, **kw}
    )


def _gaps(actor, gap="none"):
    return set(selectors.coverage_gaps(actor=actor, gap=gap).values_list("pk", flat=True))


def test_a_bereaved_family_is_a_gap_until_all_three_are_in_place(tree, care):
    # given the bereaved family with no care yet; the ordinary family is not listed at all
    assert _gaps(care.officer) == {care.bereaved.pk}
    rows, total = selectors.coverage_report(actor=care.county_officer, unit=tree.county)
    assert (total.families, total.all_three, total.none) == (1, 0, 1)
    # when a liaison is paired, it leaves the "none" gaps but stays in the doctor and lane gaps
    _cover(care.officer, care.bereaved, "liaison", cadre=care.cadre_town)
    assert _gaps(care.officer) == set()
    assert _gaps(care.officer, "doctor") == {care.bereaved.pk}
    _cover(care.officer, care.bereaved, "doctor")
    _cover(care.officer, care.bereaved, "fast_lane")
    # then the county's report shows it covered three times over, under 甲镇
    rows, total = selectors.coverage_report(actor=care.county_officer, unit=tree.county)
    assert (total.families, total.all_three, total.liaison, total.doctor, total.fast_lane, total.none) == (
        1,
        1,
        1,
        1,
        1,
        0,
    )
    assert [r.unit for r in rows] == [tree.town_a]
    assert _gaps(care.officer, "any") == set()


def test_a_family_that_becomes_special_through_a_registry_event_is_a_gap_at_once(tree, people, care):
    # given a family with one living child: not special
    newly = family(people.clerk_a, tree.village_a, children=1, address="幸福路3号")
    assert newly.pk not in _gaps(care.officer)
    # when the registry records the only child's death
    death_record(actor=people.clerk_a, person=newly.members.get(relation_to_head="child"), occurred_on=TODAY)
    # then the family is in the gaps, with no other step
    assert newly.pk in _gaps(care.officer)


def test_an_ended_pairing_reopens_the_gap_from_the_day_after(care):
    pairing = _cover(care.officer, care.bereaved, "liaison")
    services.care_arrangement_end(
        actor=care.officer, arrangement=pairing, ends_on=TODAY - dt.timedelta(days=1)
    )
    assert _gaps(care.officer, "liaison") == {care.bereaved.pk}
    assert care.bereaved.pk not in set(
        selectors.coverage_gaps(
            actor=care.officer, gap="liaison", on=TODAY - dt.timedelta(days=1)
        ).values_list("pk", flat=True)
    )


def test_the_gap_lists_and_the_report_count_the_same_families(tree, people, care):
    """The report groups a join of the arrangements, the gap lists ask NOT EXISTS per kind: on families with
    every mix of coverage (two liaisons, one ended, one starting tomorrow) they must agree, row by row."""
    families = [care.bereaved]
    for n in range(5):
        h = family(people.clerk_a, tree.village_a, children=1, address=f"关爱路{n}号")
        death_record(actor=people.clerk_a, person=h.members.get(relation_to_head="child"), occurred_on=TODAY)
        families.append(h)
    a, b, c, d, e, f = families
    _cover(care.officer, a, "liaison")
    _cover(care.officer, a, "liaison", person_name="第二位联系人")  # two pairings: still one family
    _cover(care.officer, a, "doctor")
    _cover(care.officer, a, "fast_lane")
    _cover(care.officer, b, "doctor")
    ended = _cover(care.officer, c, "liaison")
    services.care_arrangement_end(actor=care.officer, arrangement=ended, ends_on=TODAY - dt.timedelta(days=1))
    _cover(care.officer, d, "fast_lane", starts_on=TODAY + dt.timedelta(days=1))
    _cover(care.officer, e, "liaison")
    _cover(care.officer, e, "fast_lane")
    rows, total = selectors.coverage_report(actor=care.county_officer, unit=tree.county)
    assert (total.families, total.all_three, total.none) == (6, 1, 3)  # a; c, d and f
    expected = {
        "none": total.none,
        "any": total.families - total.all_three,
        "liaison": total.families - total.liaison,
        "doctor": total.families - total.doctor,
        "fast_lane": total.families - total.fast_lane,
    }
    for gap, n in expected.items():
        listed = selectors.coverage_gaps(actor=care.county_officer, gap=gap)
        assert listed.count() == len(list(listed)) == n, gap
    flags = {
        h.pk: (h.has_liaison, h.has_doctor, h.has_fast_lane)
        for h in selectors.coverage_gaps(actor=care.county_officer, gap="any")
    }
    assert flags == {
        b.pk: (False, True, False),
        c.pk: (False, False, False),
        d.pk: (False, False, False),
        e.pk: (True, False, True),
        f.pk: (False, False, False),
    }


def test_a_cadre_leaving_ends_their_pairings_and_the_families_are_gaps_again(care):
    # given the township cadre paired with the bereaved family since January
    pairing = _cover(care.officer, care.bereaved, "liaison", cadre=care.cadre_town)
    assert care.bereaved.pk not in _gaps(care.officer, "liaison")
    # when the cadre leaves yesterday
    left = TODAY - dt.timedelta(days=1)
    services.cadre_leave(actor=care.officer, cadre=care.cadre_town, left_on=left, reason="调任")
    # then the pairing ended that day, audited as ended, and the family is a liaison gap today
    pairing.refresh_from_db()
    assert pairing.ends_on == left
    ended = AuditEntry.objects.get(action="association.care.ended", object_id=str(pairing.pk))
    assert ended.data == {"ends_on": left.isoformat(), "cadre_left": "赵专干"}
    assert AuditEntry.objects.get(action="association.cadre.left").data["pairings_ended"] == 1
    assert care.bereaved.pk in _gaps(care.officer, "liaison")
    # and a new pairing with the cadre who left is refused, naming the day
    with pytest.raises(DomainError, match=f"赵专干 已于 {left.isoformat()} 离任"):
        _cover(care.officer, care.bereaved, "liaison", cadre=care.cadre_town, starts_on=TODAY)
    # a pairing recorded after the fact, from before they left, ends on the day they left
    late = _cover(care.officer, care.bereaved, "liaison", cadre=care.cadre_town)
    assert (late.starts_on, late.ends_on) == (dt.date(2026, 1, 1), left)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "liaison", "liaison_level": "village", "person_name": ""}, "请填写联系人姓名"),
        ({"kind": "liaison", "liaison_level": "", "person_name": "赵"}, "联系人层级"),
        ({"kind": "doctor", "institution": ""}, "医生姓名和医疗机构"),
        ({"kind": "fast_lane", "institution": ""}, "须填写医院"),
        ({"kind": "doctor", "ends_on": dt.date(2025, 1, 1)}, "结束日期不能早于开始日期"),
    ],
)
def test_bad_coverage_input_is_refused_precisely_and_saves_nothing(care, change, message):
    kind = change.pop("kind")
    with pytest.raises(DomainError, match=message):
        _cover(care.officer, care.bereaved, kind, **change)
    assert not CareArrangement.objects.exists()


def test_a_liaison_from_another_township_is_refused(care):
    # 乙镇's cadre is outside 甲村's line and outside the 甲镇 officer's scope
    with pytest.raises(DomainError, match="联系人须为该家庭所在村或其上级协会的干部"):
        _cover(care.county_officer, care.bereaved, "liaison", cadre=care.cadre_b)
    assert not CareArrangement.objects.exists()


def test_an_ordinary_family_gets_no_care_record(care):
    with pytest.raises(DomainError, match="不是计生特殊家庭"):
        _cover(care.officer, care.ordinary, "doctor")


def test_another_townships_officer_cannot_see_or_cover_the_family(care):
    assert _gaps(care.officer_b) == set()
    with pytest.raises(NotFound):
        selectors.special_household_get(actor=care.officer_b, household_id=care.bereaved.pk)
    with pytest.raises(NotFound):
        _cover(care.officer_b, care.bereaved, "doctor")


def test_opening_a_visit_is_audited_and_overdue_follow_ups_reach_their_owner(care, people):
    # given a visit whose follow-up, owned by the village clerk, was due yesterday
    visit = services.visit_record(
        actor=care.officer,
        household=care.bereaved,
        visited_on=TODAY - dt.timedelta(days=10),
        visitors="赵专干、村专干",
        kind="routine",
        needs="老人腿脚不便，需要助行器",
        follow_ups=[("联系残联申领助行器", people.clerk_a, TODAY - dt.timedelta(days=1))],
    )
    # then the clerk's queue has it, the officer's does not
    assert selectors.overdue_follow_ups(actor=people.clerk_a).count() == 1
    assert selectors.overdue_follow_ups(actor=care.officer).count() == 0
    # when the officer opens the visit, the read is written to the audit log
    services.visit_open(actor=care.officer, visit_id=visit.pk)
    assert AuditEntry.objects.filter(action="association.visit.viewed", object_id=str(visit.pk)).count() == 1
    # and when the clerk closes the follow-up, it leaves the queue
    services.follow_up_done(actor=people.clerk_a, follow_up=visit.follow_ups.get(), note="已送达")
    assert selectors.overdue_follow_ups(actor=people.clerk_a).count() == 0


def test_a_follow_up_owner_who_cannot_see_the_family_is_refused(care, people):
    with pytest.raises(DomainError, match="跟进负责人"):
        services.visit_record(
            actor=care.officer,
            household=care.bereaved,
            visited_on=TODAY,
            visitors="赵专干",
            kind="routine",
            follow_ups=[("回访", people.reviewer_b, TODAY)],
        )
    assert not Visit.objects.exists()
