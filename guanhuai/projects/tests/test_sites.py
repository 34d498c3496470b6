"""Warm Home sites: the "六有" standard as a checklist with evidence."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanhuai.core.errors import ValidationError
from guanhuai.projects import services
from guanhuai.projects.models import SiteCheck
from guanhuai.projects.tests.factories import ProjectFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def photo(project, staff, name="活动室.png", tail=b""):
    upload = SimpleUploadedFile(name, PNG + tail, content_type="image/png")
    return services.document_upload(actor=staff.county, project=project, kind="photo", upload=upload)


def test_a_met_item_needs_evidence_and_the_page_counts_the_items_met(client, tree, types, staff):
    site = ProjectFactory(org_unit=tree.county, type=types["warm_home"], status="in_progress")
    assert [e["code"] for e in services.standard_items(site)] == [
        "six_venue",
        "six_signs",
        "six_rules",
        "six_plan",
        "six_activities",
        "six_management",
    ]
    with pytest.raises(ValidationError, match="“有场地”达标须附佐证材料"):
        services.site_check(actor=staff.county, project=site, item="six_venue", met=True)
    evidence = photo(site, staff)
    services.site_check(actor=staff.county, project=site, item="six_venue", met=True, evidence=evidence)
    services.site_check(actor=staff.county, project=site, item="six_plan", met=False, note="计划待修订")
    assert SiteCheck.objects.filter(project=site, met=True).count() == 1
    client.force_login(staff.county)
    page = client.get(f"/projects/{site.pk}/").content.decode()
    assert "“六有”标准：已达标 1 / 6" in page and "计划待修订" in page
    # the page's form: "not met" again for the venue takes the evidence off
    client.post(f"/projects/{site.pk}/sites/", {"item": "six_venue", "met": "0"})
    assert SiteCheck.objects.get(project=site, item="six_venue").evidence is None


def test_evidence_from_another_project_and_other_types_are_refused(tree, types, staff):
    site = ProjectFactory(org_unit=tree.county, type=types["warm_home"], status="in_progress")
    other = ProjectFactory(org_unit=tree.county, type=types["warm_home"], status="in_progress")
    foreign = photo(other, staff, tail=b"other")
    with pytest.raises(ValidationError, match="佐证材料须是本项目上传的材料"):
        services.site_check(actor=staff.county, project=site, item="six_venue", met=True, evidence=foreign)
    youth = ProjectFactory(org_unit=tree.county, type=types["youth_health"], status="in_progress")
    with pytest.raises(ValidationError, match="没有“六有”标准"):
        services.site_check(actor=staff.county, project=youth, item="six_venue", met=False)
    with pytest.raises(ValidationError, match="没有“有窗户”这一项|没有“six_windows”这一项"):
        services.site_check(actor=staff.county, project=site, item="six_windows", met=False)
    assert not SiteCheck.objects.exists()
