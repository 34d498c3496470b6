"""schemathesis over every API operation, in the ordinary test run: a few generated requests per
operation, sent through the WSGI application with a province administrator's token, over a small province
with a fund, a donation, an allocation, a programme, enrolments and a generated cycle. Each response must
pass schemathesis' not-a-server-error, status-code, content-type and response-schema checks.

The budget (`EXAMPLES` per operation) keeps the run under about two minutes on SQLite; raise it with
`GUANHUAI_FUZZ_EXAMPLES` to dig deeper locally."""

import datetime as dt
import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from guanhuai.accounts import services as account_services
from guanhuai.accounts.models import ApiToken
from guanhuai.funds.tests.factories import donor, fund, give
from guanhuai.programmes.tests.cycle_fixtures import allocation, build_staff, generate, person, programme
from guanhuai.programmes.tests.factories import enrol

EXAMPLES = int(os.environ.get("GUANHUAI_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def province_data(tree, people):
    staff = build_staff(tree, people)
    f = fund(staff.manager, tree.province, name="生育关怀基金")
    give(staff.finance, f, donor(staff.manager, tree.province), "1000", on=dt.date(2025, 3, 1))
    allocation(staff.manager, staff.finance, tree.province, "50000")
    prog = programme(tree, staff, amount="590.00", code="tefu")
    enrol(prog, person(staff.registrar, tree.village_a, "甲一"))
    enrol(prog, person(staff.registrar, tree.village_b, "乙一", bank=None))
    generate(staff, prog, "2026-01")
    return staff


@pytest.fixture
def token(people):
    """The administrator's token, with an id far from the small ids generated for /tokens/{id}/revoke."""
    made, plain = account_services.token_create(actor=people.admin, name="fuzz")
    ApiToken.objects.filter(pk=made.pk).update(id=987_654)
    return plain


@pytest.fixture
def wsgi_app():
    # Like Django's test client: no connection recycling between requests, so that the requests see the
    # test's (uncommitted) data on its one connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_passes_schemathesis(db, province_data, token, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except BaseException as exc:  # schemathesis raises a (Base)ExceptionGroup of failures
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    print(
        f"{operations} operations, {sum(statuses.values())} requests, by status: {sorted(statuses.items())}"
    )
    assert operations >= 130
    assert statuses[200] + statuses[201] > operations / 4, statuses  # the token works: not all refusals
    assert not failures, "\n\n".join(failures)
