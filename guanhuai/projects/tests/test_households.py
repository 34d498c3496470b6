"""Beneficiary households, aid agreements and income records on the pages and over the API: the gain shown
is computed from the records; a household outside the project's area, a follow-up dated before its baseline
and an income in a bad number format are refused with their message and save nothing; everyone outside the
project's or the household's branches gets the 404 of a missing id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanhuai.projects.models_outcomes import AidAgreement, Beneficiary, IncomeRecord
from guanhuai.projects.tests.factories_outcomes import household, income_history, running_project

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def project(tree, types):
    """A 仁化县 Three Combinations project (2023–2025) over 甲镇 only."""
    return running_project(
        types["three_combinations"],
        tree.county,
        area=[tree.town_a],
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )


def test_a_household_added_by_its_number_then_its_agreement_and_income_on_the_pages(
    client, tree, staff, project
):
    h = household(tree.village_a, 7)
    client.force_login(staff.county)
    # given a household of the registry in the project's area, added by its number
    response = client.post(reverse("projects:beneficiary_add", args=[project.pk]), {"number": h.number})
    row = Beneficiary.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:beneficiary", args=[row.pk]
    )
    # when an agreement, a baseline (with its survey sheet) and a follow-up two years on are recorded
    client.post(
        reverse("projects:agreement_add", args=[row.pk]),
        {"support_kind": "goods", "amount": "3,000.00", "signed_on": "2023-03-05", "note": "菌棒"},
    )
    income = reverse("projects:income_add", args=[row.pk])
    client.post(
        income,
        {
            "kind": "baseline",
            "recorded_on": "2023-03-01",
            "net_income": "10000",
            "source": "survey",
            "document": SimpleUploadedFile("sheet.png", PNG, content_type="image/png"),
        },
    )
    client.post(
        income,
        {
            "kind": "follow_up",
            "recorded_on": "2025-03-01",
            "net_income": "¥21,000.50",
            "source": "village_record",
        },
    )
    # then the household's page shows the gain per year, computed: (21,000.50 − 10,000) / 2
    page = client.get(reverse("projects:beneficiary", args=[row.pk])).content.decode()
    assert 'data-figure="gain">¥5,500.25<' in page
    assert "物资扶持" in page and "sheet.png" in page
    listing = client.get(reverse("projects:beneficiaries", args=[project.pk])).content.decode()
    assert h.number in listing and "¥5,500.25" in listing
    assert AidAgreement.objects.get().amount == 3000
    assert IncomeRecord.objects.filter(beneficiary=row, document__isnull=False).count() == 1


def test_the_forms_refuse_with_the_reason_and_save_nothing(client, tree, staff, project):
    outside = household(tree.village_b, 1)  # 乙镇: in the county, outside the project's area
    client.force_login(staff.county)
    add = reverse("projects:beneficiary_add", args=[project.pk])
    page = client.post(add, {"number": outside.number}).content.decode()
    assert "不在项目的实施范围内" in page and not Beneficiary.objects.exists()
    page = client.post(add, {"number": "no-such-household"}).content.decode()
    assert "不存在，或不在您的辖区内" in page
    row = income_history(staff.county, project, tree.village_a, 2, "9000")  # baseline 2023-03-01
    income = reverse("projects:income_add", args=[row.pk])
    page = client.post(
        income, {"kind": "follow_up", "recorded_on": "2023-02-01", "net_income": "12000", "source": "survey"}
    ).content.decode()
    assert "早于或等于基线调查日期 2023-03-01" in page
    page = client.post(
        income, {"kind": "follow_up", "recorded_on": "2024-03-01", "net_income": "1.2万", "source": "survey"}
    ).content.decode()
    assert "家庭年纯收入“1.2万”不是有效的数字" in page
    page = client.post(
        reverse("projects:agreement_add", args=[row.pk]),
        {"support_kind": "cash", "amount": "12.345", "signed_on": "2023-03-05"},
    ).content.decode()
    assert "超过两位小数" in page
    assert IncomeRecord.objects.filter(beneficiary=row).count() == 1 and not AidAgreement.objects.exists()


def test_households_over_the_api(api, tree, staff, project):
    county = api(staff.county)
    h = household(tree.village_a, 3)
    created = county.post(f"/projects/{project.pk}/beneficiaries", {"household_number": h.number})
    assert created.status_code == 201, created.data
    bid = created.data["id"]
    assert created.data["gain"] is None and created.data["village"] == "甲村"
    agreement = county.post(
        f"/projects/beneficiaries/{bid}/agreements",
        {"support_kind": "loan_guarantee", "amount": "50000", "signed_on": "2023-04-01"},
    )
    assert agreement.status_code == 201 and agreement.data["amount"] == "50000.00"

    def income(**fields):
        return county._answer(
            county.client.post(
                f"/api/v1/projects/beneficiaries/{bid}/incomes", data=fields, headers=county.headers
            )
        )

    assert (
        income(kind="baseline", recorded_on="2023-03-01", net_income="8000", source="survey").status_code
        == 201
    )
    bad = income(kind="follow_up", recorded_on="2024-03-01", net_income="8,000.5.0", source="survey")
    assert bad.status_code == 422 and bad.data["code"] == "amount_format"
    early = income(kind="follow_up", recorded_on="2022-12-31", net_income="9000", source="survey")
    assert early.status_code == 422 and early.data["code"] == "follow_up_before_baseline"
    assert (
        income(kind="follow_up", recorded_on="2024-03-01", net_income="12000", source="survey").status_code
        == 201
    )
    detail = county.get(f"/projects/beneficiaries/{bid}").data
    assert detail["gain"] == "4000.00" and len(detail["incomes"]) == 2 and len(detail["agreements"]) == 1
    listing = county.get(f"/projects/{project.pk}/beneficiaries").data
    assert listing["count"] == 1 and listing["items"][0]["gain"] == "4000.00"
    outside = county.post(
        f"/projects/{project.pk}/beneficiaries", {"household_id": household(tree.village_b, 4).pk}
    )
    assert outside.status_code == 422 and outside.data["code"] == "household_outside_area"
    assert IncomeRecord.objects.count() == 2 and Beneficiary.objects.count() == 1


def test_scope_matrix_another_county_and_another_township_get_a_missing_ids_404(
    api, client, tree, staff, project
):
    row = income_history(staff.county, project, tree.village_a, 5, "9000")
    other = api(staff.other_county)
    for path in (
        f"/projects/{project.pk}/beneficiaries",
        f"/projects/beneficiaries/{row.pk}",
    ):
        assert other.get(path).status_code == 404
    assert (
        other.post(
            f"/projects/beneficiaries/{row.pk}/agreements",
            {"support_kind": "cash", "amount": "1", "signed_on": "2023-04-01"},
        ).status_code
        == 404
    )
    client.force_login(staff.other_county)
    for name, arg in (
        ("projects:beneficiaries", project.pk),
        ("projects:beneficiary_add", project.pk),
        ("projects:beneficiary", row.pk),
        ("projects:agreement_add", row.pk),
        ("projects:income_add", row.pk),
    ):
        assert client.get(reverse(name, args=[arg])).status_code == 404, name
