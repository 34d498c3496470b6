"""Annual re-confirmation (资格确认): flags those who no longer qualify, with the reason, and exits nobody."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from guanhuai.accounts.tests.factories import user_with_role
from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import PermissionDenied
from guanhuai.jobs.models import Job
from guanhuai.orgs.tests.factories import OrgUnitFactory
from guanhuai.programmes.models import Enrolment
from guanhuai.programmes.services.enrolments import reconfirmation_run, reconfirmation_submit
from guanhuai.programmes.states import EnrolmentStatus, FlagReason
from guanhuai.programmes.tests.factories import bereaved_couple, enrol, special_assistance
from guanhuai.registry.models import Person
from guanhuai.registry.services import birth_record, death_record, migration_record
from guanhuai.registry.states import RelationToHead
from guanhuai.registry.tests.factories import family, member

AS_OF = dt.date(2026, 11, 28)


@pytest.fixture
def world(tree, people):
    """Five enrolled persons of special assistance, one per situation."""
    programme = special_assistance(tree, people)
    still, _ = bereaved_couple(people, tree.village_a, address="一号")
    second_child, second_child_wife = bereaved_couple(
        people, tree.community_a, actor=people.reviewer_a, address="二号"
    )
    dead, _ = bereaved_couple(people, tree.village_a, address="三号")
    moved, _ = bereaved_couple(people, tree.village_b, actor=people.reviewer_b, address="四号")
    ordinary_household = family(people.clerk_a, tree.village_a, children=2, address="五号")
    ordinary = Person.objects.get(household=ordinary_household, relation_to_head=RelationToHead.HEAD)
    enrolments = SimpleNamespace(
        still=enrol(programme, still, start="2025-03-01"),
        second_child=enrol(programme, second_child, start="2025-03-01"),
        dead=enrol(programme, dead, start="2025-03-01"),
        moved=enrol(programme, moved, start="2025-03-01"),
        ordinary=enrol(programme, ordinary, start="2025-03-01"),  # enrolled in error: never qualified
    )
    # A second child is born to one couple after enrolment.
    birth_record(
        actor=people.reviewer_a,
        household=second_child.household,
        parents=[second_child, second_child_wife],
        data=member("王小二", "2026-05-01", sex="female", relation=RelationToHead.CHILD),
    )
    # A death is recorded; its after-commit side effect never ran (tests run in one transaction), as if it
    # had failed: re-confirmation must catch it.
    death_record(actor=people.clerk_a, person=dead, occurred_on=dt.date(2026, 8, 8))
    # One moves to live in Hunan.
    hunan = OrgUnitFactory(code="430000", name="湖南省", level="province")
    changsha_village = OrgUnitFactory(code="430102001001", name="长沙某村", level="village", parent=hunan)
    migration_record(
        actor=people.reviewer_b, person=moved, residence_unit=changsha_village, occurred_on=AS_OF
    )
    return programme, enrolments


def flags(enrolments: SimpleNamespace) -> dict[str, str]:
    return {name: Enrolment.objects.get(pk=e.pk).flag for name, e in vars(enrolments).items()}


def test_reconfirmation_flags_each_reason_and_exits_nobody(people, world, django_capture_on_commit_callbacks):
    programme, enrolments = world

    # when: the county approver runs it as a job
    with django_capture_on_commit_callbacks(execute=True):
        job, created = reconfirmation_submit(actor=people.approver, programme=programme, as_of=AS_OF)

    # then
    job.refresh_from_db()
    assert created and job.status == "succeeded", job.error
    assert (job.progress_done, job.progress_total, job.percent) == (4, 4, 100)
    assert flags(enrolments) == {
        "still": "",
        "second_child": FlagReason.NEW_CHILD,
        "dead": FlagReason.DIED,
        "moved": FlagReason.MOVED_OUT,
        "ordinary": FlagReason.NOT_ELIGIBLE,
    }
    assert job.counts == {
        "checked": 5,
        "already_flagged": 0,
        "died": 1,
        "moved_out": 1,
        "new_child": 1,
        "not_eligible": 1,
    }
    # nobody is exited or suspended automatically
    assert set(Enrolment.objects.values_list("status", flat=True)) == {EnrolmentStatus.ACTIVE}
    assert all(e.flagged_at is not None for e in Enrolment.objects.exclude(flag=""))
    # each flag is in the enrolment's history, and the run itself is audited
    assert AuditEntry.objects.filter(action="programmes.enrolment.flagged").count() == 4
    entry = AuditEntry.objects.get(action="programmes.enrolment.flagged", object_id=str(enrolments.dead.pk))
    assert entry.object_type == "programmes.enrolment" and entry.actor == people.approver
    assert entry.org_unit_id == enrolments.dead.org_unit_id and entry.data == {
        "flag": "died",
        "as_of": "2026-11-28",
    }
    assert entry.object_repr == f"{programme.pk}:{enrolments.dead.person_id}"
    assert AuditEntry.objects.get(action="programmes.reconfirmation.run").data["new_child"] == 1


def test_running_it_again_flags_nothing_new_and_a_double_click_is_one_job(
    people, world, django_capture_on_commit_callbacks
):
    programme, enrolments = world
    first = reconfirmation_run(actor=people.approver, programme=programme, as_of=AS_OF)
    stamped = {e.pk: e.flagged_at for e in Enrolment.objects.exclude(flag="")}
    second = reconfirmation_run(actor=people.approver, programme=programme, as_of=AS_OF)
    assert first["checked"] == second["checked"] == 5
    assert second["already_flagged"] == 4
    assert sum(second[r] for r in FlagReason.values) == 0
    assert {e.pk: e.flagged_at for e in Enrolment.objects.exclude(flag="")} == stamped

    with django_capture_on_commit_callbacks(execute=True):
        a, _ = reconfirmation_submit(
            actor=people.approver, programme=programme, as_of=AS_OF, idempotency_key="k1"
        )
        b, created = reconfirmation_submit(
            actor=people.approver, programme=programme, as_of=AS_OF, idempotency_key="k1"
        )
    assert a.pk == b.pk and not created
    assert Job.objects.filter(kind="programmes.reconfirm").count() == 1


def test_the_second_child_counts_only_when_born_after_the_start(people, world):
    """A family enrolled after the birth of their second child was enrolled in error: not eligible, not
    'new child' (the reason tells the approver what changed)."""
    programme, enrolments = world
    Enrolment.objects.filter(pk=enrolments.second_child.pk).update(start_month=2026 * 12 + 10)
    reconfirmation_run(actor=people.approver, programme=programme, as_of=AS_OF)
    assert flags(enrolments)["second_child"] == FlagReason.NOT_ELIGIBLE


def test_it_runs_within_the_actor_scope_only(tree, people, world):
    programme, enrolments = world
    other = user_with_role("county_approver", tree.other_county, username="approver_sx")
    counts = reconfirmation_run(actor=other, programme=programme, as_of=AS_OF)
    assert counts["checked"] == 0
    assert set(flags(enrolments).values()) == {""}
    # a township reviewer may not run it at all
    with pytest.raises(PermissionDenied):
        reconfirmation_run(actor=people.reviewer_a, programme=programme, as_of=AS_OF)


def test_exited_and_ended_enrolments_are_not_looked_at(people, world):
    programme, enrolments = world
    Enrolment.objects.filter(pk=enrolments.dead.pk).update(status=EnrolmentStatus.EXITED, exit_reason="died")
    Enrolment.objects.filter(pk=enrolments.ordinary.pk).update(end_month=2026 * 12)  # ended Jan 2026
    counts = reconfirmation_run(actor=people.approver, programme=programme, as_of=AS_OF)
    assert counts["checked"] == 3
    assert flags(enrolments)["dead"] == "" and flags(enrolments)["ordinary"] == ""


def test_the_command_line_flags_and_prints_the_counts(people, world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    programme, enrolments = world
    out = StringIO()
    call_command("reconfirm", programme=programme.code, as_of="2026-11-28", username="approver", stdout=out)
    text = out.getvalue()
    assert "核对 5 人" in text and "有新生育或收养子女：1" in text and "已死亡：1" in text
    assert flags(enrolments)["moved"] == FlagReason.MOVED_OUT
    with pytest.raises(CommandError, match="扶助项目不存在：nope"):
        call_command("reconfirm", programme="nope", username="approver")
    with pytest.raises(CommandError, match="没有“资格确认”权限"):
        call_command("reconfirm", programme=programme.code, username="clerk_a")
