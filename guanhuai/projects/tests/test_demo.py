"""The demo's projects reproduce the seed's figures from recorded data, and every project's money agrees with
the fund's books to the fen."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from guanhuai.accounts.models import User
from guanhuai.funds.models import Allocation, LedgerEntry
from guanhuai.funds.states import Account
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects import selectors
from guanhuai.projects.models import Project, ProjectSpending
from guanhuai.projects.models_happy import Nomination
from guanhuai.projects.work import reports_overdue
from guanhuai.web.demo import projects as projects_demo


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--small", "--no-job", verbosity=0, stdout=out)
    return out.getvalue()


def test_the_demo_projects_reproduce_the_seeds_figures_and_agree_with_the_books(demo):
    # 40 provincial Youth Health projects of 2015 in 18 cities, over the four venue kinds, all closed
    youth = Project.objects.filter(code__startswith="YH2015-")
    assert youth.count() == 40 and youth.values("org_unit").distinct().count() == 18
    assert set(youth.values_list("status", flat=True)) == {"closed"}
    venues = {d.venue_kind for d in projects_demo.demo_projects() if d.project.code.startswith("YH2015-")}
    assert venues == {"school", "community", "enterprise", "army_camp"}
    assert "2015年省级青春健康项目 40 个，覆盖 18 个市" in demo
    # a mushroom project among the Three Combinations ones
    mushroom = next(d for d in projects_demo.demo_projects() if d.mushroom)
    assert mushroom.type_code == "three_combinations" and "香菇" in mushroom.project.name
    assert selectors.project_money(mushroom.project).spent == Decimal("30000.00")
    # each project allocation paid exactly what its projects spent, to the fen, read from the ledger
    for allocation in Allocation.objects.filter(target_kind="project"):
        paid = LedgerEntry.objects.filter(allocation=allocation, account=Account.DISBURSEMENTS).aggregate(
            s=Sum("amount")
        )["s"]
        spent = sum(
            (
                selectors.project_money(p).spent
                for p in Project.objects.filter(fundings__allocation=allocation)
            ),
            Decimal("0.00"),
        )
        assert spent == paid, allocation.name
    assert ProjectSpending.objects.count() == 40 + 12 + 2 + 6 + 4
    # the 韶关市 project officer has an overdue progress report on the work queue
    item = reports_overdue(User.objects.get(username="xiangmu"))
    assert item is not None and item.count == 1


def test_the_demo_happy_family_selections_are_at_every_stage_and_some_are_published(demo):
    # 14 nominations in each of the two projects, at the township, at the county, not recommended, named
    for code in ("HF2025-01", "HF2025-02"):
        rows = Nomination.objects.filter(project__code=code)
        assert rows.count() == 14, code
        assert set(rows.values_list("status", flat=True)) == {"under_review", "named", "not_recommended"}
        assert set(rows.exclude(step="").values_list("step", flat=True)) == {"township", "county"}
        city_or_county = Project.objects.get(code=code)
        assert selectors.project_outcomes(actor=None, project=city_or_county).families_named == 5
    # three named families of each project consented: the portal's list shows six of the ten by name
    honours = selectors.happy_families_public(unit=OrgUnit.objects.get(code="440200"))
    assert honours.named == 10 and len(honours.families) == 6
    assert "幸福家庭评选：提名 28 户，已命名 10 户，其中经户主同意在门户公开 6 户。" in demo


def test_the_demo_builds_its_projects_once(demo):
    again = StringIO()
    call_command("demo", "--small", "--no-job", verbosity=0, stdout=again)
    assert "演示协会项目（已存在，未做任何修改）" in again.getvalue()
    assert Project.objects.filter(code__startswith="YH2015-").count() == 40
