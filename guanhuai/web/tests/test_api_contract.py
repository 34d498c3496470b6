"""The API's contract, whichever router answers: one JSON error body for every status (404 for a
non-numeric id, 400 for a body that cannot be parsed, 405, 500 with a request id), 401 with
`WWW-Authenticate` for every missing or dead token on every method, bounded ids and offsets, and an
OpenAPI document a generated client can live with (short unique operation ids, no stray schemas, money
with its pattern, every error documented)."""

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client
from django.utils import timezone

from guanhuai.accounts import services as account_services
from guanhuai.accounts.models import ApiToken
from guanhuai.api import api
from guanhuai.audit.models import AuditEntry
from guanhuai.core.api.money import MONEY_PATTERN
from guanhuai.programmes.tests.cycle_fixtures import build_staff, generate, person, programme
from guanhuai.programmes.tests.factories import ProgrammeFactory, enrol
from guanhuai.registry.tests.factories import family

API = "/api/v1"


def bearer(user):
    _token, plain = account_services.token_create(actor=user, name="契约")
    return {"Authorization": f"Bearer {plain}"}


def is_json_error(response, status, code):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


# --- the import cycle ----------------------------------------------------------------------------------------


def test_an_app_api_can_be_imported_before_the_api_root():
    # Importing guanhuai.funds.api first used to raise ImportError (it imported guanhuai.api, which imports it).
    code = "import django; django.setup(); import guanhuai.funds.api; import guanhuai.api; print('ok')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanhuai.settings", "GUANHUAI_TESTING": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


# --- one error body ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/funds/abc", "/programmes/abc", "/users/abc", "/persons/abc", "/enrolments/x1", "/no-such-thing"],
)
def test_a_non_numeric_id_or_unknown_path_is_a_json_404(db, people, path):
    response = Client().get(API + path, headers=bearer(people.admin))
    is_json_error(response, 404, "not_found")


def test_a_malformed_json_body_is_a_json_400_and_documented(db, people):
    response = Client().post(
        f"{API}/funds/donors", data="{not json", content_type="application/json", headers=bearer(people.admin)
    )
    is_json_error(response, 400, "malformed_request")
    operation = api.get_openapi_schema()["paths"]["/api/v1/funds/donors"]["post"]
    assert "400" in operation["responses"] and "500" in operation["responses"]


def test_a_wrong_method_is_a_json_405_with_allow(db, people):
    response = Client().delete(f"{API}/funds/purposes", headers=bearer(people.admin))
    body = is_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and body["message"] == "该地址不支持此请求方法。"


def test_an_unexpected_error_is_a_json_500_with_a_request_id(db, people, monkeypatch):
    from guanhuai.funds import selectors

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "purpose_list", broken)
    response = Client(raise_request_exception=False).get(
        f"{API}/funds/purposes", headers=bearer(people.admin)
    )
    body = is_json_error(response, 500, "server_error")
    assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
    assert "boom" not in response.content.decode()


def test_a_multipart_upload_without_a_boundary_is_a_json_400(db, people, tree):
    response = Client().post(
        f"{API}/registry/imports?org_unit_id={tree.province.pk}",
        data=b"--x\r\n",
        content_type="multipart/form-data",
        headers=bearer(people.admin),
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


# --- tokens: 401 with WWW-Authenticate on every method -------------------------------------------------------


def test_a_missing_bad_expired_or_revoked_token_is_401_on_every_method(db, people):
    _expired, expired_plain = account_services.token_create(actor=people.admin, name="过期")
    ApiToken.objects.filter(pk=_expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    revoked, revoked_plain = account_services.token_create(actor=people.admin, name="吊销")
    account_services.token_revoke(actor=people.admin, token=revoked)
    headers = [
        {},
        {"Authorization": "Bearer gh_not_a_token"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {expired_plain}"},
        {"Authorization": f"Bearer {revoked_plain}"},
    ]
    for header in headers:
        for method, path in [
            ("get", "/funds/purposes"),
            ("post", "/funds/donors"),
            ("patch", "/programmes/1"),
        ]:
            body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
            # enforce_csrf_checks: as for a real client, where a POST used to be "403 CSRF check Failed"
            response = getattr(Client(enforce_csrf_checks=True), method)(API + path, headers=header, **body)
            is_json_error(response, 401, "unauthenticated")
            assert response["WWW-Authenticate"].startswith("Bearer"), (method, header)


def test_a_bad_token_is_401_even_with_a_logged_in_session(db, people):
    # A client that sends a token means the token: a dead one is not rescued by a cookie, nor a "CSRF" 403.
    client = Client()
    client.force_login(people.admin)
    response = client.post(
        f"{API}/funds/donors",
        data="{}",
        content_type="application/json",
        headers={"Authorization": "Bearer gh_x"},
    )
    is_json_error(response, 401, "unauthenticated")


def test_a_browser_session_without_its_csrf_token_is_a_json_403_that_says_so(db, people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.admin)
    response = browser.post(f"{API}/funds/donors", data="{}", content_type="application/json")
    is_json_error(response, 403, "csrf_failed")


# --- bounded numbers ---------------------------------------------------------------------------------------


def test_an_offset_or_id_of_2_to_the_63_is_not_a_500(db, people):
    headers = bearer(people.admin)
    huge = 2**63
    is_json_error(
        Client().get(f"{API}/funds/donations", {"offset": huge}, headers=headers), 422, "validation_error"
    )
    is_json_error(Client().get(f"{API}/jobs", {"offset": huge}, headers=headers), 422, "validation_error")
    is_json_error(Client().get(f"{API}/funds/{huge}", headers=headers), 404, "not_found")
    is_json_error(Client().get(f"{API}/persons/{huge * 4}", headers=headers), 404, "not_found")
    response = Client().get(f"{API}/funds/donations", {"fund_id": huge}, headers=headers)
    is_json_error(response, 422, "validation_error")


def test_a_nul_character_is_a_422_not_a_database_error(db, people, tree):
    # PostgreSQL refuses NUL in text: a search for "\x00" was a 500 there.
    headers = bearer(people.admin)
    is_json_error(Client().get(f"{API}/programmes", {"q": "a\x00"}, headers=headers), 422, "nul_character")
    body = json.dumps({"org_unit_id": tree.province.pk, "kind": "person", "name": "王\u0000"})
    response = Client().post(
        f"{API}/funds/donors", data=body, content_type="application/json", headers=headers
    )
    is_json_error(response, 422, "nul_character")


def test_a_limit_over_the_maximum_is_refused_not_clamped(db, people):
    # /jobs used to clamp limit=1000 to 200 without saying so.
    for path in ("/jobs", "/funds/donations", "/notices", "/grievances", "/cycles"):
        response = Client().get(API + path, {"limit": 201}, headers=bearer(people.admin))
        body = is_json_error(response, 422, "validation_error")
        assert body["details"][0]["loc"][-1] == "limit", path


def test_every_list_has_one_shape(db, people):
    for path in ("/jobs", "/notices", "/grievances", "/cycles", "/orgunits", "/programmes", "/funds"):
        body = Client().get(API + path, {"limit": 1}, headers=bearer(people.admin)).json()
        assert set(body) == {"items", "count"}, (path, body)


# --- the 500s schemathesis found -----------------------------------------------------------------------------


def test_patching_a_not_null_field_with_null_is_a_422(db, people, tree):
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin)
    response = Client().patch(
        f"{API}/programmes/{programme.pk}",
        data=json.dumps({"active": None}),
        content_type="application/json",
        headers=bearer(people.admin),
    )
    body = is_json_error(response, 422, "null_not_allowed")
    assert "active" in body["message"]
    response = Client().patch(
        f"{API}/orgunits/{tree.village_a.pk}",
        data=json.dumps({"name": None}),
        content_type="application/json",
        headers=bearer(people.admin),
    )
    is_json_error(response, 422, "null_not_allowed")


def test_unmasking_an_empty_field_is_a_422_and_not_audited(db, people, tree):
    person = family(people.clerk_a, tree.village_a, children=0).members.first()
    before = AuditEntry.objects.filter(action="registry.person.unmasked").count()
    response = Client().post(
        f"{API}/persons/{person.pk}/unmask",
        data=json.dumps({"field": "bank_account", "reason": "核对账户"}),
        content_type="application/json",
        headers=bearer(people.clerk_a),
    )
    is_json_error(response, 422, "field_empty")
    assert AuditEntry.objects.filter(action="registry.person.unmasked").count() == before


def test_a_consent_with_empty_fields_is_a_422(db, people, tree):
    person = family(people.clerk_a, tree.village_a, children=0).members.first()
    response = Client().post(
        f"{API}/persons/{person.pk}/consents",
        data=json.dumps({"purpose": "subsidy", "scope": " ", "given_on": "2025-01-01", "given_by": ""}),
        content_type="application/json",
        headers=bearer(people.admin),
    )
    is_json_error(response, 422, "validation_error")


# --- the OpenAPI document ------------------------------------------------------------------------------------


def test_every_operation_has_a_short_unique_operation_id():
    document = api.get_openapi_schema()
    ids = [op["operationId"] for methods in document["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{1,40}", i) for i in ids), [i for i in ids if len(i) > 40]
    assert not any(i.startswith("guanhuai_") for i in ids)


def test_no_stray_schemas_and_every_error_documented():
    document = api.get_openapi_schema()
    text = json.dumps(document["paths"]) + json.dumps(document["components"])
    for name in document["components"]["schemas"]:
        assert f'"#/components/schemas/{name}"' in text, f"{name} is never referred to"
    assert "Input" not in document["components"]["schemas"]
    for path, methods in document["paths"].items():
        for op in methods.values():
            responses = op["responses"]
            assert {"400", "422", "500"} <= set(responses), (path, sorted(responses))
            if op.get("security"):
                assert "401" in responses, path
            if "{" in path:
                assert "404" in responses, path


def test_every_money_field_is_a_string_with_the_money_pattern():
    document = api.get_openapi_schema()
    money_names = re.compile(
        r"^(amount|total|amount_each|previous_amount|opening|closing|remaining|received)$"
    )
    offenders = []
    for name, component in document["components"]["schemas"].items():
        if name.endswith("In"):
            continue
        for prop, spec in component.get("properties", {}).items():
            if money_names.match(prop) and MONEY_PATTERN not in json.dumps(spec).replace("\\\\", "\\"):
                offenders.append(f"{name}.{prop}")
    assert not offenders, offenders


def test_a_token_expiry_must_carry_a_timezone_and_is_echoed_as_stored(db, people):
    client = Client()
    headers = bearer(people.admin)
    naive = client.post(
        f"{API}/tokens",
        data=json.dumps({"name": "n", "expires_at": "2030-01-01T08:00:00"}),
        content_type="application/json",
        headers=headers,
    )
    assert naive.status_code == 422
    made = client.post(
        f"{API}/tokens",
        data=json.dumps({"name": "a", "expires_at": "2030-01-01T08:00:00+08:00"}),
        content_type="application/json",
        headers=headers,
    ).json()
    listed = client.get(f"{API}/tokens", {"limit": 200}, headers=headers).json()["items"]
    assert next(t for t in listed if t["id"] == made["id"])["expires_at"] == made["expires_at"]
    assert dt.datetime.fromisoformat(made["expires_at"]) == dt.datetime(2030, 1, 1, 0, 0, tzinfo=dt.UTC)


def test_an_enrolment_with_entitlements_is_shown_not_a_500(db, tree, people):
    # The entitlement summary carried the status label as a lazy translation: every such detail was a 500.
    staff = build_staff(tree, people)
    prog = programme(tree, staff, amount="590.00", code="tefu")
    enrolment = enrol(prog, person(staff.registrar, tree.village_a, "甲一"))
    generate(staff, prog, "2026-01")
    response = Client().get(f"{API}/enrolments/{enrolment.pk}", headers=bearer(people.admin))
    assert response.status_code == 200, response.content[:300]
    [row] = response.json()["entitlement_summary"]
    assert (row["label"], row["count"], row["total"]) == ("应发", 1, "590.00")
