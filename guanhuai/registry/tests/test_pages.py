"""The registry staff pages, as a clerk, a township reviewer, a county approver and a province admin use
them: scoped lists and detail pages, masking and audited unmasking, the household form with its inline
ID check, life events, consent, PIPL requests and transfers."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.registry import services
from guanhuai.registry.models import Consent, Household, LifeEvent, Person, TransferRequest
from guanhuai.registry.services import PersonInput, household_create
from guanhuai.registry.tests.factories import family, make_id, member

PERSONS = reverse("registry:persons")
HOUSEHOLDS = reverse("registry:households")
CHECK_ID = reverse("registry:check_id")


def person_url(p, name="registry:person"):
    return reverse(name, args=[p.pk])


def html(response) -> str:
    return response.content.decode()


def listed(response) -> list[str]:
    return [p.name for p in response.context["page"]]


def household(actor, unit, *members, address="幸福路1号"):
    return household_create(
        actor=actor, org_unit=unit, address=address, hukou_type="rural", members=list(members)
    )


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


@pytest.fixture
def two_townships(tree, people):
    """A family in 甲村 (town A) and one in 乙村 (town B), registered by the county approver."""
    a = household(
        people.approver,
        tree.village_a,
        member("张枫", "1980-03-04", phone="13812345678"),
        member("李梅", "1982-05-06", sex="female", relation="spouse"),
        address="甲村一组",
    )
    b = household(
        people.approver,
        tree.village_b,
        member("赵乙", "1975-01-02", phone="13900001111"),
        address="乙村二组",
    )
    return a, b


# --- lists and scoping ----------------------------------------------------------------------------


def test_person_list_shows_everyone_in_scope_with_masked_id_and_phone(client, tree, people, two_townships):
    a, _ = two_townships
    client.force_login(people.approver)
    response = client.get(PERSONS)
    assert response.status_code == 200
    assert sorted(listed(response)) == ["张枫", "李梅", "赵乙"]
    assert response.context["page"].paginator.count == 3
    page = html(response)
    head = Person.objects.get(name="张枫")
    assert head.id_masked in page and head.id_number not in page
    assert "138****5678" in page and "13812345678" not in page


def test_township_reviewer_never_sees_another_township_in_list_count_or_pages(
    client, tree, people, two_townships
):
    a, b = two_townships
    other = Person.objects.get(name="赵乙")
    client.force_login(people.reviewer_a)
    response = client.get(PERSONS)
    assert sorted(listed(response)) == ["张枫", "李梅"]
    assert response.context["page"].paginator.count == 2
    assert "赵乙" not in html(response) and "乙村" not in html(response)
    # searching by name, pinyin or exact ID does not find them either
    for q in ("赵乙", "zhaoyi", "zy", other.id_number):
        assert listed(client.get(PERSONS, {"q": q})) == []
    # naming the other village as a filter is refused, not silently widened or narrowed
    response = client.get(PERSONS, {"unit": tree.village_b.code})
    assert response.context["page"] is None
    assert "不存在，或您无权操作" in html(response)
    # the pages themselves are 404, like a missing record
    assert client.get(person_url(other)).status_code == 404
    assert client.get(reverse("registry:household", args=[b.pk])).status_code == 404
    assert client.get(reverse("registry:person_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("registry:household_member_add", args=[b.pk])).status_code == 404
    households = client.get(HOUSEHOLDS)
    assert [h.pk for h in households.context["page"]] == [a.pk]
    assert client.get(person_url(Person.objects.get(name="张枫"))).status_code == 200


def test_list_filters_narrow_the_result(client, tree, people, two_townships):
    a, _ = two_townships
    head = Person.objects.get(name="张枫")
    services.migration_record(
        actor=people.approver, person=head, residence_unit=tree.village_b, occurred_on=dt.date(2024, 1, 1)
    )
    services.death_record(
        actor=people.approver, person=Person.objects.get(name="赵乙"), occurred_on=dt.date(2024, 2, 2)
    )
    client.force_login(people.approver)

    def names(**params):
        return sorted(listed(client.get(PERSONS, params)))

    assert names() == ["张枫", "李梅"]  # the living, by default
    assert names(alive="0") == ["赵乙"]
    assert names(alive="all") == ["张枫", "李梅", "赵乙"]
    assert names(sex="female") == ["李梅"]
    assert names(migrant="1") == ["张枫"]
    assert names(migrant="0") == ["李梅"]
    assert names(unit=tree.town_a.code) == ["张枫", "李梅"]
    assert names(unit=tree.village_b.code, alive="all") == ["赵乙"]
    age = Person.objects.get(name="张枫").birth_date
    today = timezone.localdate()
    years = today.year - age.year - ((today.month, today.day) < (age.month, age.day))
    assert names(age_min=years, age_max=years) == ["张枫"]
    assert names(hukou_type="urban") == []
    assert names(special_status="bereaved") == []
    response = client.get(PERSONS, {"age_min": 50, "age_max": 10})
    assert response.context["page"] is None and "年龄上限不能小于下限" in html(response)


def test_special_status_filter_finds_a_bereaved_family(client, tree, people):
    h = family(people.clerk_a, tree.village_a)
    child = Person.objects.get(household=h, relation_to_head="child")
    services.death_record(actor=people.clerk_a, person=child, occurred_on=dt.date(2020, 1, 1))
    client.force_login(people.clerk_a)
    response = client.get(PERSONS, {"special_status": "bereaved"})
    assert sorted(listed(response)) == ["李秀英", "王建国"]
    assert "失独" in html(response)


@pytest.mark.parametrize("q", ["zhangf", "zf", "张枫", "ZHANGFENG", "张"])
def test_name_search_by_characters_full_pinyin_or_initials(client, tree, people, q):
    household(
        people.clerk_a,
        tree.village_a,
        member("张枫", "1980-01-01"),
        member("王芳", "1981-01-01", relation="spouse"),
    )
    client.force_login(people.clerk_a)
    assert listed(client.get(PERSONS, {"q": q})) == ["张枫"]


def test_surname_zeng_is_searched_as_zeng(client, tree, people):
    household(people.clerk_a, tree.village_a, member("曾小红", "1990-01-01", sex="female"))
    client.force_login(people.clerk_a)
    assert listed(client.get(PERSONS, {"q": "zeng"})) == ["曾小红"]
    assert listed(client.get(PERSONS, {"q": "zxh"})) == ["曾小红"]
    assert listed(client.get(PERSONS, {"q": "ceng"})) == []


def test_exact_id_lookup(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.reviewer_a)
    assert listed(client.get(PERSONS, {"q": head.id_number})) == ["张枫"]
    assert listed(client.get(PERSONS, {"q": wrong_check_digit(head.id_number)})) == []


def test_list_is_sorted_by_name_birth_or_unit(client, tree, people, two_townships):
    client.force_login(people.approver)
    assert listed(client.get(PERSONS, {"order": "birth"})) == ["赵乙", "张枫", "李梅"]
    assert listed(client.get(PERSONS, {"order": "-birth"})) == ["李梅", "张枫", "赵乙"]
    assert listed(client.get(PERSONS, {"order": "name", "alive": "all"})) == ["李梅", "张枫", "赵乙"]
    assert listed(client.get(PERSONS, {"order": "unit", "alive": "all"}))[-1] == "赵乙"
    # the headers link to the other direction
    assert "order=-birth" in html(client.get(PERSONS, {"order": "birth"}))


def _many(actor, unit, n):
    for i in range(n // 5):
        household(
            actor,
            unit,
            member(f"王{i}甲", "1970-01-01"),
            *[member(f"王{i}乙{j}", f"199{j}-02-02", relation="child") for j in range(4)],
            address=f"幸福路{i}号",
        )


def test_person_list_query_count_does_not_grow_with_the_page(
    client, tree, people, django_assert_max_num_queries
):
    _many(people.clerk_a, tree.village_a, 5)
    client.force_login(people.reviewer_a)
    with django_assert_max_num_queries(10) as small:
        response = client.get(PERSONS, {"q": "w", "unit": tree.town_a.code})
    assert response.context["page"].paginator.count == 5
    _many(people.reviewer_a, tree.community_a, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(PERSONS, {"q": "w", "unit": tree.town_a.code})
    assert response.context["page"].paginator.count == 65
    assert len(response.context["page"].object_list) == 50
    second = client.get(PERSONS, {"q": "w", "page": 2})
    assert len(second.context["page"].object_list) == 15


def test_export_button_carries_the_current_filters_when_the_export_page_exists(
    client, tree, people, two_townships
):
    client.force_login(people.approver)
    page = html(client.get(PERSONS, {"sex": "female"}))
    exports = []
    for name in ("registry:export", "registry_io:export"):
        try:
            exports.append(reverse(name))
        except NoReverseMatch:
            pass
    if exports:
        assert f"{exports[0]}?sex=female" in page
    else:
        assert "导出Excel" not in page
    # a role that may view but not export (finance officer) gets no button
    client.force_login(user_with_role("finance_officer", tree.county, username="caiwu"))
    response = client.get(PERSONS)
    assert response.context["page"].paginator.count == 3 and "导出Excel" not in html(response)


def test_navigation_has_the_registry_entry(client, tree, people):
    client.force_login(people.clerk_a)
    assert PERSONS in html(client.get(reverse("home")))


# --- household form and the inline ID check -----------------------------------------------------


def household_post(unit, members, **extra):
    data = {
        "org_unit": unit.pk,
        "address": "甲村三组8号",
        "hukou_type": "rural",
        "number": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
        **extra,
    }
    for i, m in enumerate(members):
        for key, value in m.items():
            data[f"members-{i}-{key}"] = value
    return data


def test_clerk_registers_a_household_with_two_members(client, tree, people):
    client.force_login(people.clerk_a)
    form = client.get(reverse("registry:household_create"))
    assert form.status_code == 200
    assert [u.name for u in form.context["form"].fields["org_unit"].queryset] == ["甲村"]
    head_id, child_id = make_id("1978-06-07"), make_id("2005-09-10", sex="female")
    response = client.post(
        reverse("registry:household_create"),
        household_post(
            tree.village_a,
            [
                {"name": "刘强", "id_number": head_id, "relation_to_head": "head", "phone": "13512345678"},
                {
                    "name": "刘欣",
                    "id_number": child_id,
                    "relation_to_head": "child",
                    "only_child_certificate": "on",
                },
            ],
        ),
    )
    h = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:household", args=[h.pk])
    assert h.head.name == "刘强" and h.org_unit == tree.village_a
    child = Person.objects.get(name="刘欣")
    assert (child.sex, child.birth_date, child.only_child_certificate) == (
        "female",
        dt.date(2005, 9, 10),
        True,
    )
    assert child.parent_links.get().parent == h.head
    detail = client.get(response["Location"])
    page = html(detail)
    assert "刘强" in page and "刘欣" in page and h.head.id_masked in page and head_id not in page
    assert [p.name for p in detail.context["members"]] == ["刘强", "刘欣"]
    assert h.pk in [x.pk for x in client.get(HOUSEHOLDS).context["page"]]


def test_a_wrong_id_in_any_row_saves_nothing_and_says_which_row(client, tree, people):
    client.force_login(people.clerk_a)
    good, bad = make_id("1978-06-07"), wrong_check_digit(make_id("2005-09-10"))
    response = client.post(
        reverse("registry:household_create"),
        household_post(
            tree.village_a,
            [
                {"name": "刘强", "id_number": good, "relation_to_head": "head"},
                {"name": "刘欣", "id_number": bad, "relation_to_head": "child"},
            ],
        ),
    )
    assert response.status_code == 200
    rows = response.context["members"].forms
    assert rows[0].errors == {}
    assert rows[1].errors["id_number"][0].startswith("身份证号校验位错误：最后一位应为 ")
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_two_heads_is_a_form_error_and_nothing_is_saved(client, tree, people):
    client.force_login(people.clerk_a)
    response = client.post(
        reverse("registry:household_create"),
        household_post(
            tree.village_a,
            [
                {"name": "刘强", "id_number": make_id("1978-06-07"), "relation_to_head": "head"},
                {"name": "刘欣", "id_number": make_id("1979-06-07"), "relation_to_head": "head"},
            ],
        ),
    )
    assert "每户必须有且只有一名户主。" in html(response)
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_a_village_outside_the_clerks_scope_cannot_be_chosen(client, tree, people):
    client.force_login(people.clerk_a)
    response = client.post(
        reverse("registry:household_create"),
        household_post(
            tree.village_b, [{"name": "刘强", "id_number": make_id("1978-06-07"), "relation_to_head": "head"}]
        ),
    )
    assert response.status_code == 200 and "org_unit" in response.context["form"].errors
    assert Household.objects.count() == 0


def test_add_member_row_returns_the_next_row_and_the_new_total(client, tree, people):
    client.force_login(people.clerk_a)
    response = client.get(
        reverse("registry:member_row"), {"members-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true"
    )
    page = html(response)
    assert 'name="members-2-id_number"' in page and 'name="members-2-name"' in page
    assert re.search(r'name="members-TOTAL_FORMS"[^>]*value="3"[^>]*hx-swap-oob="true"', page)
    assert 'hx-post="/registry/check-id/"' in page
    assert client.get(reverse("registry:member_row"), {"members-TOTAL_FORMS": "20"}).status_code == 204


def check(client, number, **extra):
    return html(client.post(CHECK_ID, {"id_number": number, **extra}, HTTP_HX_REQUEST="true"))


def test_id_check_valid_number_shows_birth_date_and_sex(client, tree, people):
    client.force_login(people.clerk_a)
    page = check(client, "11010519491231002X")
    assert "1949-12-31" in page and 'value="女"' in page and "readonly" in page
    # a prefixed field name (the form's own box) works as well
    page = html(client.post(CHECK_ID, {"members-1-id_number": "34052419800101001X"}))
    assert "1980-01-01" in page and 'value="男"' in page


def test_id_check_wrong_checksum_and_wrong_length_say_why(client, tree, people):
    client.force_login(people.clerk_a)
    assert "身份证号校验位错误：最后一位应为 X。" in check(client, "110105194912310021")
    assert "身份证号应为18位（最后一位可为X）或15位旧号，当前为17位。" in check(client, "11010519491231002")
    assert "出生日期 19491331 不存在" in check(client, "110105194913310026")


def test_id_check_duplicate_in_scope_links_to_the_person(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.clerk_a)
    page = check(client, head.id_number)
    assert "已登记：张枫（甲村）" in page
    assert person_url(head) in page


def test_id_check_duplicate_out_of_scope_is_neutral_and_offers_a_transfer(
    client, tree, people, two_townships
):
    other = Person.objects.get(name="赵乙")
    client.force_login(people.clerk_a)
    page = check(client, other.id_number)
    assert "您管辖范围以外" in page
    assert "乙村" not in page and "乙镇" not in page and "赵乙" not in page
    assert reverse("registry:transfer_request") in page
    assert person_url(other) not in page


def test_id_check_is_post_only_so_a_full_id_never_goes_into_a_url(client, tree, people):
    client.force_login(people.clerk_a)
    assert client.get(CHECK_ID, {"id_number": "11010519491231002X"}).status_code == 405
    page = html(client.get(reverse("registry:household_create")))
    assert 'hx-post="/registry/check-id/"' in page and 'hx-get="/registry/check-id/"' not in page


def test_id_check_needs_the_edit_permission(client, tree, people):
    client.force_login(people.auditor)
    assert client.post(CHECK_ID, {"id_number": "11010519491231002X"}).status_code == 404


# --- person page: masking, unmasking, family, events -----------------------------------------------


def test_person_page_masks_for_a_role_without_unmask(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    services.bank_account_set(
        actor=people.approver, person=head, bank_name="农商银行", account_number="6228480000123456"
    )
    client.force_login(people.admin)  # province admin: may view, may not unmask
    page = html(client.get(person_url(head)))
    assert head.id_masked in page and "138****5678" in page and "************3456" in page
    assert head.id_number not in page and "13812345678" not in page and "6228480000123456" not in page
    assert reverse("registry:person_unmask", args=[head.pk]) not in page


def test_unmask_shows_the_value_once_and_writes_an_audit_row_with_the_reason(
    client, tree, people, two_townships
):
    head = Person.objects.get(name="张枫")
    client.force_login(people.reviewer_a)
    detail = html(client.get(person_url(head)))
    assert reverse("registry:person_unmask", args=[head.pk]) in detail and head.id_number not in detail
    response = client.post(
        reverse("registry:person_unmask", args=[head.pk]),
        {"field_name": "id_number", "reason": "核对扶助申请"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and head.id_number in html(response)
    entry = AuditEntry.objects.get(action="registry.person.unmasked")
    assert entry.actor == people.reviewer_a and entry.object_id == str(head.pk)
    assert entry.data == {"field": "id_number", "reason": "核对扶助申请"}
    # the next page view is masked again
    assert head.id_number not in html(client.get(person_url(head)))
    # without htmx the whole page comes back with the one value shown
    full = client.post(
        reverse("registry:person_unmask", args=[head.pk]), {"field_name": "phone", "reason": "电话回访"}
    )
    assert "13812345678" in html(full) and head.id_number not in html(full)
    assert AuditEntry.objects.filter(action="registry.person.unmasked").count() == 2


def test_unmask_needs_a_reason(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.reviewer_a)
    response = client.post(
        reverse("registry:person_unmask", args=[head.pk]), {"field_name": "id_number", "reason": ""}
    )
    assert response.status_code == 422 and "查看完整信息必须填写用途" in html(response)
    assert head.id_number not in html(response)
    assert not AuditEntry.objects.filter(action="registry.person.unmasked").exists()


def test_unmask_is_refused_without_the_permission_or_the_scope(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    url = reverse("registry:person_unmask", args=[head.pk])
    client.force_login(people.admin)
    response = client.post(url, {"field_name": "id_number", "reason": "想看看"})
    assert response.status_code == 403 and head.id_number not in html(response)
    client.force_login(people.reviewer_b)
    assert client.post(url, {"field_name": "id_number", "reason": "想看看"}).status_code == 404
    assert not AuditEntry.objects.filter(action="registry.person.unmasked").exists()


def test_family_tree_links_relatives_and_counts_those_out_of_scope(client, tree, people):
    h = family(people.approver, tree.village_a)
    father = Person.objects.get(household=h, relation_to_head="head")
    child = Person.objects.get(household=h, relation_to_head="child")
    # a grown child moves to 乙村, outside 甲镇
    b = household(people.approver, tree.village_b, member("孙乙", "1950-01-01"))
    services.move_record(
        actor=people.approver,
        person=child,
        household=b,
        relation_to_head="other",
        occurred_on=dt.date(2024, 1, 1),
    )
    client.force_login(people.approver)
    page = html(client.get(person_url(father)))
    assert person_url(child) in page and "李秀英" in page
    client.force_login(people.reviewer_a)
    response = client.get(person_url(father))
    page = html(response)
    assert child.name not in page and person_url(child) not in page
    assert "另有1位亲属不在您的管辖范围" in page
    assert "李秀英" in page  # the spouse, in scope


def test_recording_a_death_through_the_page(client, tree, people):
    h = family(people.clerk_a, tree.village_a)
    child = Person.objects.get(household=h, relation_to_head="child")
    client.force_login(people.clerk_a)
    url = reverse("registry:person_event", args=[child.pk, "death"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"occurred_on": "2023-04-05", "note": "病故", "confirm": "on"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.died_on == dt.date(2023, 4, 5)
    father = Person.objects.get(household=h, relation_to_head="head")
    father.refresh_from_db()
    assert father.special_status == "bereaved"
    page = html(client.get(person_url(child)))
    assert "死亡" in page and "2023-04-05" in page and "病故" in page and people.clerk_a.name in page
    # a second death is a form error, nothing written
    again = client.post(url, {"occurred_on": "2023-05-05", "confirm": "on"})
    assert "的死亡已于 2023-04-05 登记" in html(again)
    assert LifeEvent.objects.filter(person=child, kind="death").count() == 1


def test_the_death_form_offers_no_date_states_the_consequence_and_needs_the_tick(client, tree, people):
    h = family(people.clerk_a, tree.village_a)
    child = Person.objects.get(household=h, relation_to_head="child")
    client.force_login(people.clerk_a)
    url = reverse("registry:person_event", args=[child.pk, "death"])

    form = html(client.get(url))
    unticked = client.post(url, {"occurred_on": "2023-04-05"})
    done = client.post(url, {"occurred_on": "2023-04-05", "confirm": "on"}, follow=True)

    # no date is filled in for the clerk: the box is empty until they type the real one
    date_input = re.search(r'<input[^>]*name="occurred_on"[^>]*>', form)[0]
    assert "value=" not in date_input
    assert "此人的各项扶助发放到死亡当月为止" in form and 'name="confirm"' in form
    # without the tick nothing is recorded, and the page says why
    assert "请先阅读并勾选上面的确认。" in html(unticked)
    # with it, the message reads as one sentence, without "登记" twice
    messages = [str(m) for m in done.context["messages"]]
    assert messages == [f"已登记{child.name}死亡。"]
    child.refresh_from_db()
    assert child.died_on == dt.date(2023, 4, 5)


def test_a_death_in_the_future_is_refused(client, tree, people):
    h = family(people.clerk_a, tree.village_a)
    child = Person.objects.get(household=h, relation_to_head="child")
    client.force_login(people.clerk_a)
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("registry:person_event", args=[child.pk, "death"]), {"occurred_on": later, "confirm": "on"}
    )
    assert "事件日期不能晚于今天。" in html(response)
    child.refresh_from_db()
    assert child.died_on is None


def test_marriage_picks_the_spouse_by_id_within_scope(client, tree, people, two_townships):
    single = household(people.clerk_a, tree.village_a, member("周单", "1990-01-01"), address="甲村四组")
    she = services.person_add(
        actor=people.clerk_a,
        household=single,
        data=PersonInput(
            name="吴女", id_number=make_id("1992-02-02", sex="female"), relation_to_head="other"
        ),
    )
    groom = single.head
    other = Person.objects.get(name="赵乙")
    client.force_login(people.clerk_a)
    url = reverse("registry:person_event", args=[groom.pk, "marriage"])
    refused = client.post(url, {"spouse_id_number": other.id_number, "occurred_on": "2024-01-01"})
    assert "在您的管辖范围内没有找到身份证号为" in html(refused)
    response = client.post(url, {"spouse_id_number": she.id_number, "occurred_on": "2024-01-01"})
    assert response.status_code == 302
    page = html(client.get(person_url(groom)))
    assert "吴女" in page and "2024-01-01 结婚" in page
    divorce = client.post(
        reverse("registry:person_event", args=[groom.pk, "divorce"]), {"occurred_on": "2024-06-01"}
    )
    assert divorce.status_code == 302
    assert "2024-06-01 离婚" in html(client.get(person_url(groom)))


def test_disability_migration_and_correction_through_the_pages(client, tree, people):
    h = family(people.clerk_a, tree.village_a)
    child = Person.objects.get(household=h, relation_to_head="child")
    client.force_login(people.reviewer_a)  # the residence must be a branch they can name: 甲社区
    ev = lambda kind: reverse("registry:person_event", args=[child.pk, kind])  # noqa: E731
    assert client.post(ev("disability"), {"grade": "2", "occurred_on": "2022-01-01"}).status_code == 302
    assert (
        client.post(
            ev("migration"), {"residence_code": tree.community_a.code, "occurred_on": "2022-02-01"}
        ).status_code
        == 302
    )
    # A migrant may live in a village the clerk cannot see: the place is named, not read.
    elsewhere = client.post(
        ev("migration"), {"residence_code": tree.village_b.code, "occurred_on": "2022-02-03"}
    )
    assert elsewhere.status_code == 302
    bad_code = client.post(ev("migration"), {"residence_code": "440224999999", "occurred_on": "2022-02-01"})
    assert "不存在或已撤销" in html(bad_code)
    no_reason = client.post(ev("correction"), {"field_name": "name", "value": "王晓明", "reason": ""})
    assert no_reason.status_code == 200 and Person.objects.get(pk=child.pk).name == child.name
    assert (
        client.post(
            ev("correction"), {"field_name": "name", "value": "王晓明", "reason": "户口本为准"}
        ).status_code
        == 302
    )
    child.refresh_from_db()
    assert (child.disability_grade, child.is_migrant, child.residence_unit, child.name) == (
        2,
        True,
        tree.village_b,  # the latest migration: a village outside the clerk's township
        "王晓明",
    )
    page = html(client.get(person_url(child)))
    for text in ("残疾等级：2级", "迁往：甲社区", "姓名：王小明 → 王晓明", "户口本为准"):
        assert text in page
    assert Person.objects.get(household=h, relation_to_head="head").special_status == "disabled_child"


def test_moving_a_person_to_another_household_and_moving_one_in(client, tree, people):
    h1 = family(people.clerk_a, tree.village_a)
    h2 = household(people.clerk_a, tree.village_a, member("陈户", "1960-01-01"), address="甲村五组")
    child = Person.objects.get(household=h1, relation_to_head="child")
    client.force_login(people.clerk_a)
    response = client.post(
        reverse("registry:person_event", args=[child.pk, "move"]),
        {"head_id_number": h2.head.id_number, "relation_to_head": "other", "occurred_on": "2024-01-01"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.household == h2
    back = client.post(
        reverse("registry:household_move_in", args=[h1.pk]),
        {"id_number": child.id_number, "relation_to_head": "child", "occurred_on": "2024-02-01"},
    )
    assert back.status_code == 302
    child.refresh_from_db()
    assert child.household == h1
    assert LifeEvent.objects.filter(person=child, kind="move").count() == 2


def test_adoption_through_the_page_ends_bereaved_status(client, tree, people):
    h = family(people.clerk_a, tree.village_a)
    father = Person.objects.get(household=h, relation_to_head="head")
    mother = Person.objects.get(household=h, relation_to_head="spouse")
    services.death_record(
        actor=people.clerk_a,
        person=Person.objects.get(household=h, relation_to_head="child"),
        occurred_on=dt.date(2020, 1, 1),
    )
    orphan = services.person_add(
        actor=people.clerk_a,
        household=h,
        data=PersonInput(name="王念", id_number=make_id("2015-01-01"), relation_to_head="child"),
    )
    client.force_login(people.clerk_a)
    response = client.post(
        reverse("registry:person_event", args=[father.pk, "adoption"]),
        {
            "child_id_number": orphan.id_number,
            "other_parent_id_number": mother.id_number,
            "occurred_on": "2021-01-01",
        },
    )
    assert response.status_code == 302
    father.refresh_from_db()
    assert (father.living_children, father.special_status) == (1, "")


def test_household_page_adds_a_member_and_records_a_birth(client, tree, people):
    h = family(people.clerk_a, tree.village_a, children=0)
    parents = list(Person.objects.filter(household=h).order_by("pk"))
    client.force_login(people.clerk_a)
    add = client.post(
        reverse("registry:household_member_add", args=[h.pk]),
        {"name": "王奶奶", "id_number": make_id("1935-01-01", sex="female"), "relation_to_head": "parent"},
    )
    assert add.status_code == 302
    birth_url = reverse("registry:household_birth", args=[h.pk])
    form = client.get(birth_url)
    assert "王建国" in html(form) and 'hx-post="/registry/check-id/"' in html(form)
    response = client.post(
        birth_url,
        {
            "name": "王宝",
            "id_number": make_id("2024-03-03"),
            "parents": [p.pk for p in parents],
            "relation_to_head": "child",
        },
    )
    assert response.status_code == 302
    baby = Person.objects.get(name="王宝")
    assert baby.household == h and baby.birth_date == dt.date(2024, 3, 3)
    assert sorted(baby.parent_links.values_list("parent__name", flat=True)) == ["李秀英", "王建国"]
    assert LifeEvent.objects.filter(person=baby, kind="birth").exists()


def test_edit_never_prefills_the_phone_and_keeps_it_unless_changed(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.clerk_a)
    url = reverse("registry:person_edit", args=[head.pk])
    page = html(client.get(url))
    assert "13812345678" not in page and "138****5678" in page
    response = client.post(url, {"name": "张峰", "phone": "", "hukou_type": "urban", "hukou_place": "仁化县"})
    assert response.status_code == 302
    head.refresh_from_db()
    assert (head.name, head.phone, head.hukou_type, head.name_pinyin) == (
        "张峰",
        "13812345678",
        "urban",
        "zhangfeng",
    )


def test_bank_account_is_masked_after_saving(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.clerk_a)
    response = client.post(
        reverse("registry:person_bank", args=[head.pk]),
        {"bank_name": "农商银行", "account_number": "6228480000123456"},
    )
    assert response.status_code == 302
    page = html(client.get(person_url(head)))
    assert "农商银行 ************3456" in page and "6228480000123456" not in page
    bad = client.post(
        reverse("registry:person_bank", args=[head.pk]), {"bank_name": "农商银行", "account_number": "12ab"}
    )
    assert "银行账号应为8至30位数字。" in html(bad)


def test_consent_is_recorded_and_withdrawn(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.clerk_a)
    response = client.post(
        reverse("registry:consent_add", args=[head.pk]),
        {
            "purpose": "sensitive",
            "scope": "银行账号用于扶助金发放",
            "given_on": "2024-01-02",
            "given_by": "张枫",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=head)
    assert "银行账号用于扶助金发放" in html(client.get(person_url(head)))
    withdraw = reverse("registry:consent_withdraw", args=[head.pk, consent.pk])
    assert client.post(withdraw, {"withdrawn_on": "2024-03-01"}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2024, 3, 1)
    client.force_login(people.reviewer_b)
    assert client.post(withdraw, {"withdrawn_on": "2024-03-02"}).status_code == 404


def test_access_export_and_anonymise_are_for_privacy_officers(client, tree, people, two_townships):
    head = Person.objects.get(name="李梅")
    client.force_login(people.clerk_a)
    assert reverse("registry:person_access_export", args=[head.pk]) not in html(client.get(person_url(head)))
    assert client.post(reverse("registry:person_access_export", args=[head.pk])).status_code == 403
    assert client.get(reverse("registry:person_anonymise", args=[head.pk])).status_code == 404
    client.force_login(people.approver)
    response = client.post(reverse("registry:person_access_export", args=[head.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["name"] == "李梅" and data["id_number"] == head.id_number
    assert AuditEntry.objects.filter(
        action="registry.person.access_exported", object_id=str(head.pk)
    ).exists()
    url = reverse("registry:person_anonymise", args=[head.pk])
    unconfirmed = client.post(url, {"reason": "本人申请删除"})
    assert unconfirmed.status_code == 200 and Person.objects.get(pk=head.pk).anonymised_at is None
    assert client.post(url, {"reason": "本人申请删除", "confirm": "on"}).status_code == 302
    head.refresh_from_db()
    assert head.anonymised_at is not None and not head.id_number and head.name == "已删除"


# --- transfers -------------------------------------------------------------------------------------


def test_transfer_request_is_neutral_and_the_holding_branch_decides(client, tree, people, two_townships):
    other = Person.objects.get(name="赵乙")
    services.person_add(
        actor=people.approver,
        household=Household.objects.get(address="乙村二组"),
        data=PersonInput(name="赵小", id_number=make_id("2000-01-01"), relation_to_head="child"),
    )
    mover = Person.objects.get(name="赵小")
    client.force_login(people.clerk_a)
    # the ID check offers the transfer; the form it links to is filled in, with no number in any URL
    offer = check(client, mover.id_number)
    assert mover.id_number not in offer
    form = client.get(reverse("registry:transfer_request"))
    assert mover.id_number in html(form)
    response = client.post(
        reverse("registry:transfer_request"),
        {"id_number": mover.id_number, "to_unit": tree.village_a.pk, "reason": "已迁入本村居住"},
        follow=True,
    )
    page = html(response)
    assert "迁入申请已提交" in page and "乙村" not in page and "赵小" not in page
    req = TransferRequest.objects.get()
    assert req.status == "open"
    # the requester cannot decide it: it is not in their inbox
    decide = reverse("registry:transfer_decide", args=[req.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    # the holding township sees it and approves
    client.force_login(people.reviewer_b)
    inbox = client.get(reverse("registry:transfers"))
    assert [r.pk for r in inbox.context["inbox"]] == [req.pk]
    refuse_without_note = client.post(
        reverse("registry:transfer_decide", args=[req.pk]), {"decision": "refuse"}, follow=True
    )
    assert "拒绝迁入申请必须说明理由。" in html(refuse_without_note)
    client.post(reverse("registry:transfer_decide", args=[req.pk]), {"decision": "approve", "note": "同意"})
    mover.refresh_from_db()
    assert mover.org_unit == tree.village_a and mover.household is None
    # the requester's outbox shows the outcome
    client.force_login(people.clerk_a)
    outbox = client.get(reverse("registry:transfers"))
    assert [r.status for r in outbox.context["outbox"]] == ["approved"]
    # asking for someone already in scope, or someone unknown, says so
    in_scope = client.post(
        reverse("registry:transfer_request"), {"id_number": mover.id_number, "to_unit": tree.village_a.pk}
    )
    assert "此人已在您的管辖范围内" in html(in_scope)
    assert other.org_unit == tree.village_b


def test_a_person_search_by_full_id_never_puts_the_number_in_a_url(client, tree, people, two_townships):
    head = Person.objects.get(name="张枫")
    client.force_login(people.clerk_a)

    response = client.post(reverse("registry:persons"), {"q": head.id_number, "alive": "1"})

    assert response.status_code == 302
    assert head.id_number not in response["Location"] and "q=idx_" in response["Location"]
    page = client.get(response["Location"])
    assert [p.pk for p in page.context["page"]] == [head.pk]
    assert head.id_number not in html(page)
    # a name search is redirected as typed
    by_name = client.post(reverse("registry:persons"), {"q": "张枫"})
    assert [p.pk for p in client.get(by_name["Location"]).context["page"]] == [head.pk]


def test_id_check_checks_the_box_that_triggered_it_when_the_whole_form_is_posted(client, tree, people):
    client.force_login(people.clerk_a)
    page = html(
        client.post(
            CHECK_ID,
            {"members-0-id_number": "11010519491231002X", "members-1-id_number": "34052419800101001X"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TRIGGER_NAME="members-1-id_number",
        )
    )
    assert "1980-01-01" in page and "1949-12-31" not in page
