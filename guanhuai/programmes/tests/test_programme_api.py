"""/api/v1/programmes…: the definitions, rule preview and versions, amount rules and 应享未享, with the
response codes a client must handle."""

from __future__ import annotations

import datetime as dt

import pytest

from guanhuai.programmes.models import Programme, RuleVersion
from guanhuai.programmes.services.programmes import programme_from_template
from guanhuai.programmes.tests.factories import enrol
from guanhuai.registry.tests.factories import couple

API = "/api/v1"
D = dt.date.fromisoformat
DEAD_CHILD = ("独子", "1998-03-01", "male", {"died_on": D("2015-05-01")})


@pytest.fixture
def special(tree, people):
    return programme_from_template(actor=people.admin, template="special_assistance", org_unit=tree.province)


@pytest.fixture
def families(tree, people):
    return (
        couple(people, tree.village_a, mother="1960-01-01", children=[DEAD_CHILD]),
        couple(people, tree.village_b, mother="1960-01-01", children=[DEAD_CHILD]),
    )


def post(client, user, url, data):
    client.force_login(user)
    return client.post(f"{API}{url}", data, content_type="application/json")


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(f"{API}{url}", params)


def test_unauthenticated_is_401(client, special):
    response = client.get(f"{API}/programmes")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_list_and_detail(client, special, people):
    body = get(client, people.clerk_a, "/programmes").json()
    assert body["count"] == 1 and body["items"][0]["code"] == "special_assistance"
    detail = get(client, people.clerk_a, f"/programmes/{special.pk}").json()
    assert detail["rule"]["version"] == 1 and detail["can_manage"] is False
    amounts = {(a["label"], a["amount"]) for a in detail["amount_rules"]}
    assert ("独生子女死亡（2022）", "590.00") in amounts
    assert get(client, people.clerk_a, "/programmes/999999").status_code == 404


def test_facts_list_every_fact_with_its_operators(client, people):
    facts = {f["name"]: f for f in get(client, people.clerk_a, "/programmes/facts").json()}
    assert {"age", "mother_age", "special_status", "residence", "youngest_child_age_months"} <= set(facts)
    assert [o["op"] for o in facts["hukou"]["ops"]] == ["==", "!=", "in", "not_in"]


def test_preview_counts_within_scope_and_does_not_save(client, special, families, people):
    rule = {"all": [{"fact": "special_status", "op": "==", "value": "bereaved"}]}
    body = post(client, people.admin, f"/programmes/{special.pk}/rules/preview", {"rule": rule}).json()
    assert body["count"] == 4
    assert body["by_county"] == [{"code": "440224", "name": "仁化县", "count": 4}]
    body = post(client, people.reviewer_a, f"/programmes/{special.pk}/rules/preview", {"rule": rule}).json()
    assert body["count"] == 2 and {p["village"] for p in body["sample"]} == {"甲村"}
    assert all("*" in p["name"] for p in body["sample"])
    assert RuleVersion.objects.filter(programme=special).count() == 1


def test_a_bad_rule_is_422_with_its_code(client, special, people):
    unknown = {"rule": {"all": [{"fact": "income", "op": ">", "value": 1}]}}
    response = post(client, people.admin, f"/programmes/{special.pk}/rules/preview", unknown)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_fact" and "income" in response.json()["message"]
    bad = {"rule": {"all": [{"fact": "age", "op": "in", "value": 3}]}, "note": "x"}
    response = post(client, people.admin, f"/programmes/{special.pk}/rules", bad)
    assert response.status_code == 422
    assert response.json()["code"] == "bad_rule" and response.json()["details"]["path"] == "all[0]"
    assert RuleVersion.objects.filter(programme=special).count() == 1


def test_rule_save_201_then_409_when_unchanged_and_403_for_a_viewer(client, special, people):
    rule = {"all": [{"fact": "special_status", "op": "==", "value": "bereaved"}]}
    response = post(client, people.admin, f"/programmes/{special.pk}/rules", {"rule": rule, "note": "仅失独"})
    assert response.status_code == 201 and response.json()["version"] == 2
    response = post(client, people.admin, f"/programmes/{special.pk}/rules", {"rule": rule, "note": "再存"})
    assert response.status_code == 409 and response.json()["code"] == "rule_unchanged"
    response = post(
        client, people.approver, f"/programmes/{special.pk}/rules", {"rule": {"all": []}, "note": "x"}
    )
    assert response.status_code == 403
    versions = get(client, people.approver, f"/programmes/{special.pk}/rules").json()
    assert [v["version"] for v in versions] == [2, 1]


def test_amount_rules_add_end_and_refusals(client, tree, people):
    response = post(
        client,
        people.admin,
        "/programmes",
        {
            "org_unit": "440000",
            "code": "gd-topup",
            "name": "省增发",
            "legal_basis": "省文件",
            "budget_line": "省经费",
        },
    )
    assert response.status_code == 201
    pid = response.json()["id"]
    add = {"label": "增发", "amount": "200", "valid_from": "2026-01-01"}
    response = post(client, people.admin, f"/programmes/{pid}/amount-rules", add)
    assert response.status_code == 201 and response.json()["amount"] == "200.00"
    rid = response.json()["id"]
    response = post(client, people.admin, f"/programmes/{pid}/amount-rules", add)
    assert response.status_code == 409 and response.json()["code"] == "amount_overlap"
    response = post(client, people.admin, f"/programmes/{pid}/amount-rules", {**add, "amount": "1.005"})
    assert response.status_code == 422 and response.json()["code"] == "bad_amount"
    response = post(
        client, people.admin, f"/programmes/{pid}/amount-rules/{rid}/end", {"valid_to": "2025-12-31"}
    )
    assert response.status_code == 422 and response.json()["code"] == "bad_dates"
    response = post(
        client, people.admin, f"/programmes/{pid}/amount-rules/{rid}/end", {"valid_to": "2026-12-31"}
    )
    assert response.status_code == 200 and response.json()["valid_to"] == "2026-12-31"
    response = post(
        client,
        people.admin,
        "/programmes",
        {"org_unit": "440000", "code": "gd-topup", "name": "x", "legal_basis": "y", "budget_line": "z"},
    )
    assert response.status_code == 409 and response.json()["code"] == "code_taken"


def test_from_template_201_and_unknown_template_422(client, tree, people):
    response = post(
        client, people.admin, "/programmes/from-template", {"template": "rural_reward", "org_unit": "440000"}
    )
    assert response.status_code == 201 and response.json()["period"] == "yearly"
    response = post(
        client, people.admin, "/programmes/from-template", {"template": "nope", "org_unit": "440000"}
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_template"
    response = post(
        client,
        people.county_admin,
        "/programmes/from-template",
        {"template": "rural_reward", "org_unit": "440222"},
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_org_unit"
    assert Programme.objects.count() == 1


def test_eligible_not_enrolled(client, special, families, tree, people):
    a, b = families
    enrol(special, a["父亲"], start="2024-01-01")
    body = get(client, people.approver, f"/programmes/{special.pk}/eligible-not-enrolled").json()
    assert body["count"] == 3
    body = get(
        client, people.approver, f"/programmes/{special.pk}/eligible-not-enrolled", village="440224100001"
    ).json()
    assert [p["name"] for p in body["items"]] == ["母亲"] and "*" in body["items"][0]["id_masked"]
    response = get(
        client, people.reviewer_b, f"/programmes/{special.pk}/eligible-not-enrolled", village="440224100001"
    )
    assert response.status_code == 422 and response.json()["code"] == "unknown_village"
