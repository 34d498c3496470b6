"""The care API: the same rules as the pages, in JSON (scope, masking, audit, precise 422s)."""

from __future__ import annotations

import json

from django.utils import timezone

from guanhuai.association.models import CareArrangement
from guanhuai.audit.models import AuditEntry

TODAY = timezone.localdate()


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_coverage_and_gaps_over_the_api(client, tree, care):
    client.force_login(care.county_officer)
    body = client.get(f"/api/v1/association/care/coverage?unit_id={tree.county.pk}").json()
    assert body["overall"]["families"] == 1 and body["overall"]["none"] == 1
    assert [r["unit_name"] for r in body["rows"]] == [tree.town_a.name]
    gaps = client.get("/api/v1/association/care/gaps?gap=none").json()
    assert gaps["count"] == 1
    assert gaps["items"][0]["head_masked"] == "王**"


def test_an_arrangement_created_over_the_api_closes_the_gap(client, care):
    client.force_login(care.officer)
    url = f"/api/v1/association/care/families/{care.bereaved.pk}/arrangements"
    bad = _post(client, url, {"kind": "fast_lane", "starts_on": "2026-01-01"})
    assert bad.status_code == 422 and "医院" in bad.json()["message"]
    ok = _post(client, url, {"kind": "fast_lane", "starts_on": "2026-01-01", "institution": "县人民医院"})
    assert ok.status_code == 201 and ok.json()["institution"] == "县人民医院"
    assert CareArrangement.objects.count() == 1
    assert client.get("/api/v1/association/care/gaps?gap=fast_lane").json()["count"] == 0


def test_another_townships_officer_gets_404_for_the_family(client, care):
    client.force_login(care.officer_b)
    url = f"/api/v1/association/care/families/{care.bereaved.pk}/arrangements"
    assert client.get(url).status_code == 404
    assert (
        _post(client, url, {"kind": "fast_lane", "starts_on": "2026-01-01", "institution": "X"}).status_code
        == 404
    )


def test_reading_a_visit_over_the_api_is_audited(client, people, care):
    client.force_login(care.officer)
    created = _post(
        client,
        f"/api/v1/association/care/families/{care.bereaved.pk}/visits",
        {
            "visited_on": TODAY.isoformat(),
            "visitors": "赵专干",
            "kind": "routine",
            "needs": "助行器",
            "follow_ups": [
                {"action": "申领助行器", "owner_id": people.clerk_a.pk, "due_on": TODAY.isoformat()}
            ],
        },
    )
    assert created.status_code == 201
    visit_id = created.json()["id"]
    body = client.get(f"/api/v1/association/care/visits/{visit_id}").json()
    assert body["needs"] == "助行器" and body["follow_ups"][0]["owner_id"] == people.clerk_a.pk
    assert AuditEntry.objects.filter(action="association.visit.viewed", object_id=str(visit_id)).count() == 1


def test_a_delegated_task_moves_only_as_its_table_allows(client, tree, care):
    client.force_login(care.county_officer)
    created = _post(
        client,
        "/api/v1/association/delegated-tasks",
        {
            "org_unit_id": tree.county.pk,
            "title": "资格确认入户核实",
            "agreement": "委托协议12号",
            "agreed_on": "2026-10-01",
            "due_on": "2026-12-31",
            "deliverables": "核实名册",
        },
    )
    assert created.status_code == 201
    url = f"/api/v1/association/delegated-tasks/{created.json()['id']}/move"
    assert _post(client, url, {"status": "accepted"}).status_code == 409
    assert _post(client, url, {"status": "delivered"}).json()["status"] == "delivered"
