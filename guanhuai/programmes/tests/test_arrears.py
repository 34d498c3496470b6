"""Months owed before a programme's first cycle (services/arrears.py), and past periods, which generation
would compute with today's registry (services/cycles.check_past_period)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanhuai.accounts.tests.factories import ApiClient
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.jobs.models import Job
from guanhuai.programmes.models import Entitlement
from guanhuai.programmes.services import arrears, cycles
from guanhuai.programmes.tests.cycle_fixtures import enrol, generate, person, programme


def owed(cycle):
    """Run the report job that generation of the earliest cycle queued (after commit, in production)."""
    from guanhuai.jobs.services import job_run

    _owed, report = arrears.owed_report(cycle)
    return job_run(report.pk)


def _late_programme(tree, staff):
    """A monthly programme (590 from 2022-07) whose beneficiaries were enrolled from March and October
    2026, installed so late that its first cycle is December 2026."""
    prog = programme(tree, staff, amount="590.00")
    enrol(prog, person(staff.registrar, tree.village_a, "三月起"), start="2026-03-01")
    enrol(prog, person(staff.registrar, tree.village_a, "十月起"), start="2026-10-01")
    return prog


def test_the_first_cycle_warns_of_the_months_owed_before_it_with_their_count_and_amount(tree, staff):
    prog = _late_programme(tree, staff)
    december = generate(staff, prog, "2026-12")
    # generation itself stays as fast as for any cycle: a report job of its own counts the owed months
    assert "owed_before_first" not in Job.objects.get(pk=december.job_id).counts
    job = owed(december)
    # March–November for one (9 months) and October–November for the other (2): 11 × 590
    assert job.counts["owed_before_first"] == {
        "months": 11,
        "amount": "6490.00",
        "from": "2026-03",
        "to": "2026-11",
    }
    assert "11 个应发月份" in job.message and "¥6,490.00" in job.message
    assert AuditEntry.objects.get(action="programmes.cycle.owed_before_first").data["months"] == 11
    # only the regular December rows were generated
    assert Entitlement.objects.filter(cycle=december, kind="arrears").count() == 0
    # a later cycle does not report again: its earlier periods are the first cycle's business
    january = generate(staff, prog, "2027-01")
    assert arrears.owed_report(january) == (None, None)


def test_the_months_owed_before_the_first_cycle_can_be_added_to_it_as_arrears_once(tree, staff):
    prog = _late_programme(tree, staff)
    december = generate(staff, prog, "2026-12")
    # when the finance officer asks for them, twice (a double click)
    job = arrears.cycle_arrears_before_first(actor=staff.finance, cycle=december, inline=True)
    again = arrears.cycle_arrears_before_first(actor=staff.finance, cycle=december, inline=True)
    # then one arrears entitlement per person and past month, once
    assert again.pk == job.pk
    rows = Entitlement.objects.filter(cycle=december, kind="arrears")
    assert rows.count() == 11
    assert sum(r.amount for r in rows) == Decimal("6490.00")
    assert job.counts == {"entitlements": 11, "total": "6490.00"}
    assert AuditEntry.objects.filter(action="programmes.cycle.arrears_before_first_added").count() == 1
    # and a cycle for one of those months can no longer be generated: it would pay them twice
    with pytest.raises(Conflict) as refused:
        generate(staff, prog, "2026-11")
    assert refused.value.code == "paid_as_arrears"


def test_arrears_are_offered_only_on_the_earliest_cycle_in_review(tree, staff):
    prog = _late_programme(tree, staff)
    december = generate(staff, prog, "2026-12")
    january = generate(staff, prog, "2027-01")
    with pytest.raises(Conflict) as refused:
        arrears.cycle_arrears_before_first(actor=staff.finance, cycle=january, inline=True)
    assert refused.value.code == "not_first_cycle"
    with pytest.raises(Exception) as denied:
        arrears.cycle_arrears_before_first(actor=staff.clerk, cycle=december, inline=True)
    assert denied.value.code in ("permission_denied", "forbidden", "not_found")


def test_a_yearly_pro_rata_programme_counts_each_owed_month(tree, staff):
    # a childcare-like programme paid 3,600 a year pro rata, first generated for 2026
    prog = programme(
        tree, staff, amount="3600.00", valid_from="2025-01-01", period="yearly", pro_rata="months"
    )
    enrol(prog, person(staff.registrar, tree.village_a, "小明", "2025-01-10"), start="2025-01-01")
    cycle = generate(staff, prog, "2026")
    assert owed(cycle).counts["owed_before_first"] == {
        "months": 12,
        "amount": "3600.00",
        "from": "2025-01",
        "to": "2025-12",
    }
    arrears.cycle_arrears_before_first(actor=staff.finance, cycle=cycle, inline=True)
    row = Entitlement.objects.get(cycle=cycle, kind="arrears")
    assert (row.period, row.months, row.amount) == ("2025", 12, Decimal("3600.00"))


# --- past periods -------------------------------------------------------------------------------------


@pytest.fixture
def december_2026(settings, monkeypatch):
    settings.GUANHUAI_PAST_PERIOD_MONTHS = 3
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 12, 2))


def test_a_period_too_far_in_the_past_needs_a_reason_which_is_audited(tree, staff, december_2026):
    prog = programme(tree, staff, amount="590.00")
    enrol(prog, person(staff.registrar, tree.village_a, "甲"), start="2026-01-01")
    # three months back is still fine
    assert generate(staff, prog, "2026-09").period == "2026-09"
    # six months back is refused, with what is wrong and what to do
    with pytest.raises(ValidationError) as refused:
        generate(staff, prog, "2026-06")
    assert refused.value.code == "past_period"
    assert "已过去 6 个月" in str(refused.value) and "理由" in str(refused.value)
    with pytest.raises(ValidationError):
        cycles.cycle_generate(actor=staff.finance, programme=prog, period="2026-06", past_reason="  ")
    # with a reason it is generated, and the reason is in the cycle's audit row
    june, _created = cycles.cycle_generate(
        actor=staff.finance,
        programme=prog,
        period="2026-06",
        past_reason="系统上线前漏发，已核对当时户籍",
        inline=True,
    )
    entry = AuditEntry.objects.get(action="programmes.cycle.created", object_id=str(june.pk))
    assert entry.data["past_reason"] == "系统上线前漏发，已核对当时户籍"
    assert entry.data["months_back"] == 6


def test_the_cycle_page_shows_the_owed_months_and_offers_them_as_arrears(
    tree, staff, client, django_capture_on_commit_callbacks
):
    prog = _late_programme(tree, staff)
    december = generate(staff, prog, "2026-12")
    owed(december)
    client.force_login(staff.finance)
    page = client.get(f"/programmes/cycles/{december.pk}/").content.decode()
    assert "11 个应发月份" in page and "¥6,490.00" in page
    assert f"/programmes/cycles/{december.pk}/arrears/" in page
    # a viewer who may not generate sees the warning without the button
    client.force_login(staff.clerk)
    page = client.get(f"/programmes/cycles/{december.pk}/").content.decode()
    assert "11 个应发月份" in page and f"/programmes/cycles/{december.pk}/arrears/" not in page
    # the finance officer adds them
    client.force_login(staff.finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/programmes/cycles/{december.pk}/arrears/")
    assert response.status_code == 302
    assert Entitlement.objects.filter(cycle=december, kind="arrears").count() == 11
    page = client.get(f"/programmes/cycles/{december.pk}/").content.decode()
    assert f"/programmes/cycles/{december.pk}/arrears/" not in page and "/jobs/" in page


def test_the_generate_form_passes_the_reason_for_a_past_period(tree, staff, client, december_2026):
    prog = programme(tree, staff, amount="590.00")
    client.force_login(staff.finance)
    form = {"programme": prog.pk, "period": "2026-05", "idempotency_key": "k1"}
    client.post("/programmes/cycles/generate/", form)
    assert not prog.cycles.exists()
    client.post("/programmes/cycles/generate/", {**form, "idempotency_key": "k2", "past_reason": "补录"})
    assert prog.cycles.get().period == "2026-05"


def test_the_command_line_reports_the_owed_months_and_adds_them(tree, staff):
    import io

    from django.core.management import call_command

    prog = _late_programme(tree, staff)
    out = io.StringIO()
    call_command(
        "cycle", "generate", "--programme", prog.code, "--period", "2026-12", "--as", "caiwu", stdout=out
    )
    assert "11 个应发月份" in out.getvalue()
    out = io.StringIO()
    call_command(
        "cycle", "arrears", "--programme", prog.code, "--period", "2026-12", "--as", "caiwu", stdout=out
    )
    assert "已补发首期之前的月份：11 笔，合计 ¥6,490.00" in out.getvalue()


def test_the_api_reports_the_owed_months_takes_a_past_reason_and_adds_the_arrears(
    tree, staff, december_2026, django_capture_on_commit_callbacks
):
    prog = _late_programme(tree, staff)
    api = ApiClient(staff.finance)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/cycles", {"programme_id": prog.pk, "period": "2026-12"})
    assert created.status_code == 202
    # the report job ran after the generation job, and the API lists it
    report = Job.objects.get(kind="programmes.cycle_owed", params__cycle_id=created.data["id"])
    assert api.get(f"/jobs/{report.pk}").data["counts"]["owed_before_first"]["amount"] == "6490.00"
    with django_capture_on_commit_callbacks(execute=True):
        added = api.post(f"/cycles/{created.data['id']}/arrears-before-first")
    assert added.status_code == 202
    assert Entitlement.objects.filter(cycle_id=created.data["id"], kind="arrears").count() == 11
    # a period far back needs a reason
    refused = api.post("/cycles", {"programme_id": prog.pk, "period": "2026-01"})
    assert (refused.status_code, refused.data["code"]) == (422, "past_period")
    # and with one, May is refused all the same: it was paid as arrears
    with django_capture_on_commit_callbacks(execute=True):
        clash = api.post("/cycles", {"programme_id": prog.pk, "period": "2026-05", "past_reason": "补录"})
    assert (clash.status_code, clash.data["code"]) == (409, "paid_as_arrears")


def test_a_quarterly_programme_without_pro_rata_owes_the_full_amount_per_quarter_touched(tree, staff):
    prog = programme(tree, staff, amount="300.00", period="quarterly")
    enrol(prog, person(staff.registrar, tree.village_a, "五月起"), start="2026-05-01")
    cycle = generate(staff, prog, "2026-Q4")
    # May–June of Q2 and all of Q3: five months, two quarters of 300 each
    assert owed(cycle).counts["owed_before_first"] == {
        "months": 5,
        "amount": "600.00",
        "from": "2026-05",
        "to": "2026-09",
    }
    arrears.cycle_arrears_before_first(actor=staff.finance, cycle=cycle, inline=True)
    rows = Entitlement.objects.filter(cycle=cycle, kind="arrears").order_by("period")
    assert [(r.period, r.months, r.amount) for r in rows] == [
        ("2026-Q2", 2, Decimal("300.00")),
        ("2026-Q3", 3, Decimal("300.00")),
    ]
