"""/api/v1/persons and /api/v1/households: scoped, masked, audited, thin over the registry services."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guanhuai.accounts.tests.factories import ApiClient
from guanhuai.audit.models import AuditEntry
from guanhuai.jobs.models import Job
from guanhuai.registry import services
from guanhuai.registry.models import BankAccount, Household, ImportBatch, LifeEvent, Person
from guanhuai.registry.tests.factories import family, import_xlsx, make_id, member

PHONE = "13812345678"
ACCOUNT = "6222021234567890123"


@pytest.fixture
def home(tree, people):
    """A couple with one child in 甲村 (甲镇), the head with a phone and a bank account."""
    h = family(people.clerk_a, tree.village_a)
    head = h.head
    services.person_update(actor=people.clerk_a, person=head, phone=PHONE)
    services.bank_account_set(
        actor=people.clerk_a, person=head, bank_name="农村信用社", account_number=ACCOUNT
    )
    head.refresh_from_db()
    return h


def _members(h):
    rows = Person.objects.filter(household=h)
    return {p.relation_to_head: p for p in rows}


def new_household_body(unit, *, head_id=None, child_id=None, address="和平路8号"):
    return {
        "org_unit_id": unit.pk,
        "address": address,
        "hukou_type": "rural",
        "members": [
            {
                "name": "张枫",
                "id_number": head_id or make_id("1975-04-03"),
                "relation_to_head": "head",
                "phone": "13900001111",
            },
            {
                "name": "张小雨",
                "id_number": child_id or make_id("2005-09-09", sex="female"),
                "relation_to_head": "child",
            },
        ],
    }


# --- authentication and the OpenAPI document ---------------------------------------------------------------


def test_no_credentials_is_401_json(db):
    response = Client().get("/api/v1/persons")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_personal_token_reads_the_registry(api, home, people):
    response = api(people.reviewer_a).get("/persons")
    assert response.status_code == 200
    assert response.data["count"] == 3


def test_a_browser_session_needs_csrf_to_write(tree, people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.clerk_a)
    assert browser.get("/api/v1/households").status_code == 200
    response = browser.post(
        "/api/v1/households",
        data=json.dumps(new_household_body(tree.village_a)),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Household.objects.exists()


def test_openapi_document_lists_registry_paths_with_their_codes(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/unmask",
        "/api/v1/persons/{person_id}/events",
        "/api/v1/persons/{person_id}/bank-account",
        "/api/v1/persons/{person_id}/consents",
        "/api/v1/persons/lookup",
        "/api/v1/persons/check-id",
        "/api/v1/households",
        "/api/v1/households/{household_id}",
        "/api/v1/households/{household_id}/members",
        "/api/v1/households/{household_id}/births",
        "/api/v1/registry/imports",
        "/api/v1/registry/imports/{batch_id}",
        "/api/v1/registry/imports/{batch_id}/commit",
    ]:
        assert path in paths, path
        for operation in paths[path].values():
            assert {"401", "422"} <= set(operation["responses"]), (path, operation["responses"].keys())
    assert {"200", "401", "403", "404", "409", "422"} <= set(
        paths["/api/v1/persons/{person_id}/unmask"]["post"]["responses"]
    )
    assert {"201", "403", "409", "422"} <= set(paths["/api/v1/households"]["post"]["responses"])
    event_body = paths["/api/v1/persons/{person_id}/events"]["post"]["requestBody"]
    assert "oneOf" in json.dumps(event_body) or "discriminator" in json.dumps(event_body)


# --- scoping ------------------------------------------------------------------------------------------------


def test_township_b_cannot_list_count_fetch_look_up_or_unmask_township_a_person(api, tree, people, home):
    head = home.head
    client = api(people.reviewer_b)

    listing = client.get("/persons")
    assert listing.status_code == 200
    assert listing.data["count"] == 0 and listing.data["items"] == []
    assert client.get("/persons", q=make_id_of(head)).data["count"] == 0
    assert client.get("/persons", q="wangjianguo").data["count"] == 0
    assert client.get("/households").data["count"] == 0
    by_unit = client.get("/persons", unit_id=tree.village_a.pk)
    assert by_unit.status_code == 422 and by_unit.data["code"] == "unknown_unit"

    missing = client.get("/persons/999999")
    forbidden = client.get(f"/persons/{head.pk}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.data == missing.data
    assert client.get(f"/households/{home.pk}").status_code == 404
    assert client.get(f"/persons/{head.pk}/events").status_code == 404
    assert client.get(f"/persons/{head.pk}/consents").status_code == 404

    absent = client.post("/persons/lookup", {"id_number": make_id("1990-01-01")})
    out_of_scope = client.post("/persons/lookup", {"id_number": make_id_of(head)})
    assert out_of_scope.status_code == absent.status_code == 404
    assert out_of_scope.data == absent.data

    unmask = client.post(f"/persons/{head.pk}/unmask", {"field": "id_number", "reason": "核对身份"})
    assert unmask.status_code == 404
    assert not AuditEntry.objects.filter(action="registry.person.unmasked").exists()

    death = client.post(f"/persons/{head.pk}/events", {"kind": "death", "occurred_on": "2024-01-01"})
    assert death.status_code == 404
    assert client.patch(f"/persons/{head.pk}", {"name": "改名"}).status_code == 404
    head.refresh_from_db()
    assert head.died_on is None and head.name == "王建国"


def test_township_a_sees_its_villages(api, tree, people, home):
    client = api(people.reviewer_a)
    assert client.get("/persons", unit_id=tree.village_a.pk).data["count"] == 3
    assert client.get("/persons", unit_id=tree.community_a.pk).data["count"] == 0
    found = client.post("/persons/lookup", {"id_number": make_id_of(home.head)})
    assert found.status_code == 200 and found.data["id"] == home.head.pk


def make_id_of(person: Person) -> str:
    return Person.objects.get(pk=person.pk).id_number


# --- masking ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk_a", "reviewer_a", "approver", "admin", "county_admin", "auditor"])
def test_no_plain_id_phone_or_account_in_any_read_for_any_role(api, people, home, who):
    client = api(getattr(people, who))
    head = home.head
    plain = [make_id_of(p) for p in Person.objects.filter(household=home)] + [PHONE, ACCOUNT]
    responses = [
        client.get("/persons"),
        client.get("/persons", q=make_id_of(head)),
        client.get(f"/persons/{head.pk}"),
        client.get(f"/persons/{head.pk}/events"),
        client.get("/households"),
        client.get(f"/households/{home.pk}"),
        client.post("/persons/lookup", {"id_number": make_id_of(head)}),
    ]
    for response in responses:
        assert response.status_code == 200, response.content
        body = response.content.decode()
        for value in plain:
            assert value not in body
    detail = responses[2].data
    assert detail["id_masked"] == make_id_of(head)[:4] + "**********" + make_id_of(head)[-4:]
    assert detail["phone_masked"] == "138****5678"
    assert detail["bank_account"]["account_masked"].endswith("0123")
    assert "id_number" not in detail and "phone" not in detail


# --- unmask -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"), [("id_number", None), ("phone", PHONE), ("bank_account", ACCOUNT)]
)
def test_unmask_returns_the_value_and_is_audited_with_the_reason(api, people, home, field, expected):
    head = home.head
    response = api(people.reviewer_a).post(
        f"/persons/{head.pk}/unmask", {"field": field, "reason": "核对扶助申请材料"}
    )
    assert response.status_code == 200
    assert response.data == {"field": field, "value": expected or make_id_of(head)}
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="registry.person.unmasked")
    assert (entry.actor, entry.object_id) == (people.reviewer_a, str(head.pk))
    assert entry.data == {"field": field, "reason": "核对扶助申请材料"}


def test_unmask_is_forbidden_to_an_auditor_and_nothing_is_shown(api, people, home):
    response = api(people.auditor).post(
        f"/persons/{home.head.pk}/unmask", {"field": "id_number", "reason": "抽查"}
    )
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert make_id_of(home.head) not in response.content.decode()
    assert not AuditEntry.objects.filter(action="registry.person.unmasked").exists()


def test_unmask_without_a_reason_is_422_and_not_audited(api, people, home):
    response = api(people.clerk_a).post(f"/persons/{home.head.pk}/unmask", {"field": "phone", "reason": " "})
    assert response.status_code == 422
    assert response.data["message"] == "查看完整信息必须填写用途。"
    assert not AuditEntry.objects.filter(action="registry.person.unmasked").exists()


# --- life events --------------------------------------------------------------------------------------------


def test_events_change_the_derived_status_through_the_api(api, people, home):
    client = api(people.clerk_a)
    m = _members(home)
    head, child = m["head"], m["child"]
    assert client.get(f"/persons/{head.pk}").data["special_status"] == ""

    # given the only child is assessed with a grade 2 disability
    response = client.post(
        f"/persons/{child.pk}/events", {"kind": "disability", "occurred_on": "2019-03-01", "grade": 2}
    )
    assert response.status_code == 201
    assert response.data["kind_label"] == "残疾评定"
    assert client.get(f"/persons/{head.pk}").data["special_status"] == "disabled_child"
    assert client.get("/persons", special_status="disabled_child").data["count"] == 2

    # when the child dies the family is bereaved
    response = client.post(f"/persons/{child.pk}/events", {"kind": "death", "occurred_on": "2021-05-01"})
    assert response.status_code == 201
    detail = client.get(f"/persons/{head.pk}").data
    assert (detail["special_status"], detail["special_status_label"], detail["living_children"]) == (
        "bereaved",
        "失独",
        0,
    )
    assert client.get("/persons", special_status="bereaved").data["count"] == 2
    assert client.get("/persons", alive="false").data["count"] == 1
    assert client.get("/persons", alive="all").data["count"] == 3

    # then a birth ends the status
    response = client.post(
        f"/households/{home.pk}/births",
        {
            "name": "王新",
            "id_number": make_id("2023-06-01", sex="female"),
            "parent_ids": [head.pk, m["spouse"].pk],
        },
    )
    assert response.status_code == 201
    assert response.data["relation_to_head"] == "child"
    detail = client.get(f"/persons/{head.pk}").data
    assert (detail["special_status"], detail["living_children"], detail["children_ever"]) == ("", 1, 2)
    assert [c["name"] for c in detail["family"]["children"]] == ["王小明", "王新"]
    events = client.get(f"/persons/{child.pk}/events").data
    assert events["count"] == 2 and [e["kind"] for e in events["items"]] == ["death", "disability"]


def test_recording_a_death_twice_is_409(api, people, home):
    client = api(people.clerk_a)
    child = _members(home)["child"]
    assert (
        client.post(f"/persons/{child.pk}/events", {"kind": "death", "occurred_on": "2021-05-01"}).status_code
        == 201
    )
    again = client.post(f"/persons/{child.pk}/events", {"kind": "death", "occurred_on": "2021-05-02"})
    assert again.status_code == 409 and again.data["code"] == "already_dead"


def test_an_unknown_event_kind_or_a_future_date_is_422(api, people, home):
    client = api(people.clerk_a)
    head = home.head
    assert (
        client.post(f"/persons/{head.pk}/events", {"kind": "birth", "occurred_on": "2020-01-01"}).status_code
        == 422
    )
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(f"/persons/{head.pk}/events", {"kind": "death", "occurred_on": future})
    assert response.status_code == 422
    assert response.data["message"] == "事件日期不能晚于今天。"
    assert not LifeEvent.objects.exists()


def test_a_spouse_outside_the_scope_is_an_unknown_person_not_a_leak(api, tree, people, home):
    stranger = services.household_create(
        actor=people.reviewer_b,
        org_unit=tree.village_b,
        address="乙村1号",
        hukou_type="rural",
        members=[member("赵敏", "1985-01-01", sex="female")],
    ).head
    response = api(people.clerk_a).post(
        f"/persons/{home.head.pk}/events",
        {"kind": "marriage", "occurred_on": "2020-01-01", "spouse_id": stranger.pk},
    )
    assert response.status_code == 422
    assert response.data["code"] == "unknown_person"
    assert "赵敏" not in response.content.decode()


def test_divorce_marriage_migration_move_adoption_and_correction(api, tree, people, home):
    client = api(people.reviewer_a)
    m = _members(home)
    head, spouse, child = m["head"], m["spouse"], m["child"]

    assert (
        client.post(
            f"/persons/{head.pk}/events", {"kind": "divorce", "occurred_on": "2010-01-01"}
        ).status_code
        == 201
    )
    remarry = client.post(
        f"/persons/{spouse.pk}/events",
        {"kind": "marriage", "occurred_on": "2012-01-01", "spouse_id": head.pk},
    )
    assert remarry.status_code == 201 and remarry.data["related_person"] == {"id": head.pk, "name": "王建国"}

    away = client.post(
        f"/persons/{child.pk}/events",
        {"kind": "migration", "occurred_on": "2022-01-01", "residence_unit_id": tree.community_a.pk},
    )
    assert away.status_code == 201 and away.data["to_unit"]["name"] == "甲社区"
    assert client.get("/persons", migrant="true").data["count"] == 1

    other = services.household_create(
        actor=people.clerk_a,
        org_unit=tree.village_a,
        address="幸福路2号",
        hukou_type="rural",
        members=[member("刘一", "1970-01-01")],
    )
    moved = client.post(
        f"/persons/{child.pk}/events",
        {"kind": "move", "occurred_on": "2023-01-01", "household_id": other.pk, "relation_to_head": "other"},
    )
    assert moved.status_code == 201
    assert Person.objects.get(pk=child.pk).household_id == other.pk

    orphan = client.post(
        f"/households/{other.pk}/members",
        {"name": "刘念", "id_number": make_id("2016-01-01"), "relation_to_head": "child"},
    ).data
    adopted = client.post(
        f"/persons/{orphan['id']}/events",
        {"kind": "adoption", "occurred_on": "2020-01-01", "parent_ids": [other.head_id]},
    )
    assert adopted.status_code == 201
    assert client.get(f"/persons/{other.head_id}").data["living_children"] == 1

    fixed = client.post(
        f"/persons/{orphan['id']}/events",
        {"kind": "correction", "field": "name", "value": "刘思念", "reason": "户口簿为准"},
    )
    assert fixed.status_code == 201 and fixed.data["changes"] == {"name": ["刘念", "刘思念"]}
    bad_date = client.post(
        f"/persons/{head.pk}/events",
        {"kind": "correction", "field": "died_on", "value": "2020-13-01", "reason": "误登"},
    )
    assert bad_date.status_code == 422 and bad_date.data["message"] == "日期格式应为 YYYY-MM-DD。"


# --- households ---------------------------------------------------------------------------------------------


def test_create_a_household_masked_and_linked(api, tree, people):
    body = new_household_body(tree.village_a)
    response = api(people.clerk_a).post("/households", body)
    assert response.status_code == 201, response.content
    data = response.data
    assert data["org_unit"]["name"] == "甲村" and data["head"]["name"] == "张枫"
    assert [p["name"] for p in data["members"]] == ["张枫", "张小雨"]
    assert body["members"][0]["id_number"] not in response.content.decode()
    assert "13900001111" not in response.content.decode()
    head = Person.objects.get(name="张枫")
    assert head.living_children == 1 and head.id_number == body["members"][0]["id_number"]
    assert AuditEntry.objects.filter(action="registry.household.created").count() == 1
    # pinyin and initials find the new head
    client = api(people.reviewer_a)
    assert [p["name"] for p in client.get("/persons", q="zhangf").data["items"]] == ["张枫"]
    assert [p["name"] for p in client.get("/persons", q="zf").data["items"]] == ["张枫"]


def test_a_wrong_check_digit_is_422_in_chinese_and_nothing_is_written(api, tree, people):
    good = make_id("2005-09-09", sex="female")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = api(people.clerk_a).post("/households", new_household_body(tree.village_a, child_id=bad))
    assert response.status_code == 422
    assert response.data["code"] == "id_number_checksum"
    assert response.data["message"].startswith("身份证号校验位错误：最后一位应为")
    assert not Household.objects.exists() and not Person.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registry.").exists()


def test_a_duplicate_id_outside_the_scope_gets_a_neutral_409(api, tree, people, home):
    taken = make_id_of(home.head)
    response = api(people.reviewer_b).post("/households", new_household_body(tree.village_b, head_id=taken))
    assert response.status_code == 409
    assert response.data["code"] == "duplicate_id_number"
    assert "管辖范围以外" in response.data["message"]
    assert response.data["details"] == {"in_scope": False}
    body = response.content.decode()
    assert (
        "王建国" not in body
        and "甲村" not in body
        and str(home.head.pk) not in json.dumps(response.data["details"])
    )
    assert Household.objects.count() == 1


def test_a_duplicate_id_in_scope_points_to_the_existing_person(api, tree, people, home):
    taken = make_id_of(home.head)
    response = api(people.clerk_a).post("/households", new_household_body(tree.village_a, head_id=taken))
    assert response.status_code == 409
    assert response.data["details"] == {"person_id": home.head.pk, "in_scope": True}
    assert taken not in response.content.decode()


def test_a_household_in_a_unit_outside_the_scope_or_not_a_village_is_422(api, tree, people):
    client = api(people.clerk_a)
    outside = client.post("/households", new_household_body(tree.village_b))
    assert outside.status_code == 422 and outside.data["code"] == "unknown_unit"
    township = api(people.reviewer_a).post("/households", new_household_body(tree.town_a))
    assert township.status_code == 422 and township.data["code"] == "household_unit_level"
    assert not Household.objects.exists()


def test_an_auditor_can_read_but_not_register(api, tree, people, home):
    client = api(people.auditor)
    assert client.get(f"/households/{home.pk}").status_code == 200
    response = client.post("/households", new_household_body(tree.village_a))
    assert response.status_code == 403
    assert client.patch(f"/persons/{home.head.pk}", {"name": "改名"}).status_code == 403
    assert Household.objects.count() == 1


# --- persons: edit, bank account, consent, ID check ---------------------------------------------------------


def test_patch_updates_facts_and_refuses_changing_the_head(api, people, home):
    client = api(people.clerk_a)
    head = home.head
    response = client.patch(f"/persons/{head.pk}", {"name": "王建军", "phone": "13600002222"})
    assert response.status_code == 200
    assert response.data["name"] == "王建军" and response.data["phone_masked"] == "136****2222"
    assert "13600002222" not in response.content.decode()
    assert client.get("/persons", q="wangjianjun").data["count"] == 1
    spouse = _members(home)["spouse"]
    refused = client.patch(f"/persons/{spouse.pk}", {"relation_to_head": "head"})
    assert refused.status_code == 422 and refused.data["code"] == "household_head"
    assert client.patch(f"/persons/{head.pk}", {"phone": "12"}).data["message"] == "电话号码应为7至12位数字。"


def test_bank_account_is_set_and_shown_masked(api, people, home):
    child = _members(home)["child"]
    response = api(people.clerk_a).post(
        f"/persons/{child.pk}/bank-account",
        {"bank_name": "建设银行", "account_number": "6217 0000 1111 2222"},
    )
    assert response.status_code == 200
    assert response.data["account_masked"] == "************2222"
    assert "621700001111" not in response.content.decode()
    assert BankAccount.objects.get(person=child).account_number == "6217000011112222"


def test_consents_are_recorded_listed_and_withdrawn(api, people, home):
    client = api(people.clerk_a)
    head = home.head
    created = client.post(
        f"/persons/{head.pk}/consents",
        {"purpose": "sensitive", "scope": "失独扶助申请", "given_on": "2024-03-01", "given_by": "本人"},
    )
    assert created.status_code == 201 and created.data["recorded_by"] == "clerk_a"
    listing = client.get(f"/persons/{head.pk}/consents")
    assert listing.data["count"] == 1 and listing.data["items"][0]["purpose"] == "sensitive"
    url = f"/persons/{head.pk}/consents/{created.data['id']}/withdraw"
    assert client.post(url, {"withdrawn_on": "2024-04-01"}).data["withdrawn_on"] == "2024-04-01"
    assert client.post(url, {}).status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"id_number": "11010519491231002X"}, 200, {"birth_date": "1949-12-31", "sex": "female"}),
        (
            {"id_number": "110105491231002"},
            200,
            {"number": "11010519491231002X", "legacy": "110105491231002"},
        ),
        ({"id_number": "110105194912310021"}, 422, {"code": "id_number_checksum"}),
        ({"id_number": "1101051949123100"}, 422, {"code": "id_number_format"}),
        ({"id_number": "11010519491231002X", "sex": "male"}, 422, {"code": "id_sex_mismatch"}),
        ({"id_number": "11010519491231002X", "birth_date": "1950-01-01"}, 422, {"code": "id_birth_mismatch"}),
    ],
)
def test_check_id(api, people, body, status, expected):
    response = api(people.clerk_a).post("/persons/check-id", body)
    assert response.status_code == status, response.data
    assert expected.items() <= response.data.items()
    if status == 422:
        assert response.data["message"].startswith(("身份证号", "性别", "出生日期"))


def test_check_id_reports_duplicates_by_scope_and_needs_the_edit_permission(api, people, home):
    taken = make_id_of(home.head)
    inside = api(people.clerk_a).post("/persons/check-id", {"id_number": taken})
    assert inside.status_code == 409 and inside.data["details"]["person_id"] == home.head.pk
    outside = api(people.reviewer_b).post("/persons/check-id", {"id_number": taken})
    assert outside.status_code == 409 and outside.data["details"] == {"in_scope": False}
    assert "王建国" not in outside.content.decode()
    assert api(people.auditor).post("/persons/check-id", {"id_number": taken}).status_code == 403


# --- lists --------------------------------------------------------------------------------------------------


def test_person_list_filters_orders_and_paginates(api, tree, people, home):
    family(people.reviewer_a, tree.community_a, children=2, hukou="urban", address="社区1号")
    client = api(people.reviewer_a)
    assert client.get("/persons").data["count"] == 7
    assert client.get("/persons", hukou_type="urban").data["count"] == 4
    assert client.get("/persons", unit_id=tree.community_a.pk).data["count"] == 4
    assert client.get("/persons", sex="female").data["count"] == 3
    assert client.get("/persons", age_min=60).data["count"] == 4
    assert client.get("/persons", age_max=45).data["count"] == 3
    page = client.get("/persons", order="birth", limit=2, offset=1)
    assert page.data["count"] == 7 and len(page.data["items"]) == 2
    assert page.data["items"][0]["birth_date"] >= "1960-05-01"
    assert client.get("/persons", limit=201).status_code == 422
    assert client.get("/persons", order="nonsense").status_code == 422


def test_a_household_page_is_a_fixed_number_of_queries(api, tree, people, django_assert_max_num_queries):
    # (the lists' query counts, small against large: test_query_counts.py)
    for i in range(6):
        family(people.clerk_a, tree.village_a, children=2, address=f"幸福路{i}号")
    client = api(people.reviewer_a)
    client.get("/persons")  # the first use of a token also records its last use
    first = Household.objects.first().pk
    with django_assert_max_num_queries(4):
        assert len(client.get(f"/households/{first}").data["members"]) == 4


def test_an_event_names_a_relative_only_to_those_who_may_see_them(api, tree, people, home):
    stranger = services.household_create(
        actor=people.approver,
        org_unit=tree.village_b,
        address="乙村2号",
        hukou_type="rural",
        members=[member("赵敏", "1986-01-01", sex="female")],
    ).head
    child = _members(home)["child"]
    services.marriage_record(
        actor=people.approver, person=child, spouse=stranger, occurred_on=dt.date(2015, 1, 1)
    )
    [seen] = api(people.approver).get(f"/persons/{child.pk}/events").data["items"]
    assert seen["related_person"] == {"id": stranger.pk, "name": "赵敏"}
    [hidden] = api(people.reviewer_a).get(f"/persons/{child.pk}/events").data["items"]
    assert hidden["kind"] == "marriage" and hidden["related_person"] is None
    detail = api(people.reviewer_a).get(f"/persons/{child.pk}").data
    assert detail["family"]["spouses"] == [] and "赵敏" not in json.dumps(detail, ensure_ascii=False)


# --- Excel imports ------------------------------------------------------------------------------------------


def _row(number, name, id_number, relation="户主"):
    head = relation == "户主"
    return [number, "440224100001", "幸福路9号" if head else "", "农村" if head else "", name, id_number, relation,
            "", "", "", ""]  # fmt: skip


@pytest.fixture
def upload(settings, tmp_path, django_capture_on_commit_callbacks):
    """POST a file to /registry/imports with a token, running the jobs in-process."""

    def _upload(client: ApiClient, content: bytes, unit):
        data = {"file": SimpleUploadedFile("户籍.xlsx", content), "org_unit_id": unit.pk}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.client.post("/api/v1/registry/imports", data, headers=client.headers)
        response.data = response.json()
        return response

    return _upload


def test_import_upload_preview_commit_and_reupload(
    api, tree, people, upload, django_capture_on_commit_callbacks
):
    good = [make_id("1970-01-01"), make_id("1972-02-02", sex="female")]
    bad = make_id("1980-03-03")
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    content = import_xlsx(
        [_row("H1", "陈大", good[0]), _row("H1", "林二", good[1], "配偶"), _row("H2", "黄三", bad)]
    )
    client = api(people.clerk_a)

    response = upload(client, content, tree.village_a)
    assert response.status_code == 202, response.data
    batch_id = response.data["id"]
    assert response.data["job"]["kind"] == "registry.import_validate"

    preview = client.get(f"/registry/imports/{batch_id}")
    assert preview.status_code == 200
    assert (preview.data["status"], preview.data["valid_rows"], preview.data["invalid_rows"]) == (
        "validated",
        2,
        1,
    )
    [error] = preview.data["errors"]
    assert error["row_number"] == 4 and "校验位" in error["error"]
    assert bad not in preview.content.decode() and error["id_masked"].startswith("4402*")
    assert not Person.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        commit = client.post(f"/registry/imports/{batch_id}/commit")
    assert commit.status_code == 202 and commit.data["kind"] == "registry.import_commit"
    assert sorted(Person.objects.values_list("name", flat=True)) == ["林二", "陈大"]
    assert client.get(f"/registry/imports/{batch_id}").data["status"] == "committed"

    again = upload(client, content, tree.village_a)
    assert again.status_code == 200 and again.data["id"] == batch_id
    assert again.data["job"] is None
    assert Person.objects.count() == 2
    assert client.post(f"/registry/imports/{batch_id}/commit").status_code == 409


def test_import_of_a_file_that_is_not_excel_is_422_and_writes_nothing(api, tree, people, upload):
    response = upload(api(people.clerk_a), b"name,id\n", tree.village_a)
    assert response.status_code == 422
    assert "Excel" in response.data["message"]
    assert not ImportBatch.objects.exists() and not Job.objects.exists()


def test_import_batches_are_scoped_and_need_the_import_permission(api, tree, people, upload):
    content = import_xlsx([_row("H1", "陈大", make_id("1970-01-01"))])
    batch_id = upload(api(people.clerk_a), content, tree.village_a).data["id"]
    assert api(people.reviewer_b).get(f"/registry/imports/{batch_id}").status_code == 404
    assert api(people.reviewer_b).post(f"/registry/imports/{batch_id}/commit").status_code == 404
    assert upload(api(people.reviewer_b), content, tree.village_a).status_code == 422  # unit not in scope
    assert upload(api(people.auditor), content, tree.village_a).status_code == 403
    assert ImportBatch.objects.count() == 1
