"""A village merged into a neighbour: every app's rows follow it, with audit, so the receiving village's
clerk sees them all (orgs.services.rows_follow_merge, each app's receivers.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.funds import selectors as fund_selectors
from guanhuai.funds.tests.factories import donor, fund
from guanhuai.orgs.services import unit_merge
from guanhuai.programmes.models import (
    Application,
    Cycle,
    Entitlement,
    Grievance,
    Payment,
    PaymentBatch,
    PublicNotice,
)
from guanhuai.programmes.selectors import applications as app_sel
from guanhuai.programmes.selectors import cycles as cycle_sel
from guanhuai.programmes.selectors import enrolments as enrolment_sel
from guanhuai.programmes.selectors import payments as payment_sel
from guanhuai.programmes.tests.factories import ProgrammeFactory, enrol
from guanhuai.registry.selectors import person_list
from guanhuai.registry.services import household_create
from guanhuai.registry.tests.factories import member


def _rows_in_village_a(tree, people):
    """One row of every kind a village owns, all on 甲村."""
    village = tree.village_a
    household = household_create(
        actor=people.clerk_a,
        org_unit=village,
        address="幸福路1号",
        hukou_type="rural",
        members=[member("王建国", "1960-05-01")],
    )
    person = household.members.get()
    programme = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, code="tefu")
    notice = PublicNotice.objects.create(
        org_unit=village,
        programme=programme,
        title="甲村公示",
        opens_on=dt.date(2026, 11, 1),
        closes_on=dt.date(2026, 11, 8),
        created_by=people.clerk_a,
    )
    application = Application.objects.create(
        programme=programme, person=person, org_unit=village, created_by=people.clerk_a
    )
    enrolment = enrol(programme, person, start="2026-10-01")
    cycle = Cycle.objects.create(
        programme=programme, period="2026-11", first_month=24322, last_month=24322, generated_by=people.admin
    )
    entitlement = Entitlement.objects.create(
        cycle=cycle,
        programme=programme,
        enrolment=enrolment,
        person=person,
        org_unit=village,
        period="2026-11",
        months=1,
        amount=Decimal("590.00"),
    )
    batch = PaymentBatch.objects.create(
        cycle=cycle, number="tefu-2026-11-01", bank_name="农行", created_by=people.admin
    )
    payment = Payment.objects.create(
        batch=batch,
        entitlement=entitlement,
        person=person,
        org_unit=village,
        line_no=1,
        amount=Decimal("590.00"),
        account_masked="****0018",
    )
    grievance = Grievance.objects.create(
        org_unit=village,
        application=application,
        complainant="王建国",
        content="进度",
        recorded_by=people.clerk_a,
    )
    manager = user_with_role("fund_manager", tree.province, username="jijin")
    village_fund = fund(manager, village, name="甲村关怀基金")
    village_donor = donor(user_with_role("finance_officer", tree.province, username="caiwu"), village)
    return locals()


def test_after_a_merge_the_receiving_clerk_sees_every_row_of_the_closed_village(tree, people):
    # given rows of every app on 甲村, and the clerk and the fund officer of 甲社区, its neighbour
    rows = _rows_in_village_a(tree, people)
    clerk = user_with_role("village_clerk", tree.community_a, username="clerk_c")
    treasurer = user_with_role("finance_officer", tree.community_a, username="caiwu_c")

    def seen() -> dict[str, bool]:
        return {
            "person": person_list(actor=clerk).filter(pk=rows["person"].pk).exists(),
            "notice": app_sel.notice_list(actor=clerk).filter(pk=rows["notice"].pk).exists(),
            "application": app_sel.application_list(actor=clerk).filter(pk=rows["application"].pk).exists(),
            "enrolment": enrolment_sel.enrolment_list(actor=clerk).filter(pk=rows["enrolment"].pk).exists(),
            "entitlement": cycle_sel.entitlement_list(actor=clerk, cycle=rows["cycle"])
            .filter(pk=rows["entitlement"].pk)
            .exists(),
            "payment": payment_sel.payment_list(actor=clerk, batch=rows["batch"])
            .filter(pk=rows["payment"].pk)
            .exists(),
            "grievance": app_sel.grievance_list(actor=clerk).filter(pk=rows["grievance"].pk).exists(),
            "fund": fund_selectors.fund_list(actor=treasurer).filter(pk=rows["village_fund"].pk).exists(),
            "donor": fund_selectors.donor_list(actor=treasurer).filter(pk=rows["village_donor"].pk).exists(),
        }

    assert not any(seen().values())
    # when 甲村 merges into 甲社区
    unit_merge(actor=people.admin, unit=tree.village_a, into=tree.community_a)
    # then the receiving clerk (and, for money, the receiving fund officer) sees every row
    assert seen() == dict.fromkeys(seen(), True)
    # and each table that moved rows left one audit row naming it and the count, readable in 甲社区
    followed = AuditEntry.objects.filter(action="orgs.unit.rows_followed", object_id=str(tree.village_a.pk))
    assert {(e.data["table"], e.data["field"], e.data["rows"]) for e in followed} == {
        ("registry.household", "org_unit", 1),
        ("registry.person", "org_unit", 1),
        ("programmes.publicnotice", "org_unit", 1),
        ("programmes.application", "org_unit", 1),
        ("programmes.enrolment", "org_unit", 1),
        ("programmes.entitlement", "org_unit", 1),
        ("programmes.payment", "org_unit", 1),
        ("programmes.grievance", "org_unit", 1),
        ("funds.fund", "org_unit", 1),
        ("funds.donor", "org_unit", 1),
    }
    assert {e.org_unit_id for e in followed} == {tree.community_a.pk}
