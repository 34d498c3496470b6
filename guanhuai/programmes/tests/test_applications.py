"""Recording an application and its documents: what a village clerk sees when applying for someone."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.utils import timezone

from guanhuai.audit.models import AuditEntry
from guanhuai.core.errors import Conflict, NotFound, ValidationError
from guanhuai.programmes.models import Application, ApplicationDocument
from guanhuai.programmes.services import applications as svc
from guanhuai.programmes.states import ApplicationStatus, DocumentKind, EnrolmentStatus
from guanhuai.programmes.tests.factories import JPEG, PDF, PNG, ProgrammeFactory, enrol, uploaded
from guanhuai.registry.services import death_record


def test_a_clerk_applies_for_a_villager_as_a_draft(apps, people):
    application, _created = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=apps.head, reason="独生子女伤残"
    )

    assert application.status == ApplicationStatus.DRAFT
    assert application.org_unit == apps.head.org_unit
    assert application.created_by == people.clerk_a
    entry = AuditEntry.objects.get(action="programmes.application.created", object_id=str(application.pk))
    # the rule (all: [] — everyone alive) says yes, and that is recorded with the application
    assert entry.data["eligible_now"] is True


def test_eligibility_is_a_warning_not_a_block(apps, people, tree):
    strict = ProgrammeFactory(
        org_unit=tree.province,
        created_by=people.admin,
        rule={"all": [{"fact": "age", "op": ">=", "value": 120}]},
    )

    application, _created = svc.application_create(actor=people.clerk_a, programme=strict, person=apps.head)

    assert application.status == ApplicationStatus.DRAFT
    assert application.eligible_now is False


def test_a_clerk_cannot_apply_for_a_person_in_another_township(apps, people):
    # 乙村 is outside 甲村's clerk: the same 404 as a person that does not exist
    with pytest.raises(NotFound) as exc:
        svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.other)

    assert "未找到" in str(exc.value)
    assert not Application.objects.exists()


def test_an_enrolled_person_cannot_apply_again(apps, people):
    enrol(apps.programme, apps.head)

    with pytest.raises(Conflict) as exc:
        svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)

    assert exc.value.code == "already_enrolled"
    assert "已是“特别扶助”的享受对象" in str(exc.value)


def test_an_exited_beneficiary_may_apply_again(apps, people):
    enrol(apps.programme, apps.head, status=EnrolmentStatus.EXITED)

    application, _created = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=apps.head
    )

    assert application.status == ApplicationStatus.DRAFT


def test_a_second_open_application_is_refused(apps, people):
    svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)

    with pytest.raises(Conflict) as exc:
        svc.application_create(actor=apps.clerk_a2, programme=apps.programme, person=apps.head)

    assert exc.value.code == "open_application"
    assert Application.objects.count() == 1


def test_the_database_refuses_a_second_open_application_too(apps, people, monkeypatch):
    # given: two clerks racing past the Python check
    svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)
    monkeypatch.setattr(svc, "_check_no_open_application", lambda programme, person: None)

    with pytest.raises(Conflict) as exc:
        svc.application_create(actor=apps.clerk_a2, programme=apps.programme, person=apps.head)

    assert exc.value.code == "open_application"
    assert "正在办理" in str(exc.value)


def test_a_dead_person_cannot_apply(apps, people):
    death_record(actor=people.clerk_a, person=apps.son, occurred_on=dt.date(2020, 1, 1))
    apps.son.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.son)

    assert exc.value.code == "person_dead"


def test_a_couple_programme_takes_the_current_spouse(apps, people):
    application, _created = svc.application_create(
        actor=people.clerk_a, programme=apps.couple, person=apps.head
    )

    assert application.spouse == apps.spouse


def test_a_couple_programme_refuses_someone_who_is_not_the_spouse(apps, people):
    with pytest.raises(ValidationError) as exc:
        svc.application_create(actor=people.clerk_a, programme=apps.couple, person=apps.head, spouse=apps.son)

    assert exc.value.code == "not_spouse"


def test_a_replayed_create_returns_the_first_application(apps, people):
    first, created = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=apps.head, idempotency_key="k-1"
    )
    again, replayed = svc.application_create(
        actor=people.clerk_a, programme=apps.programme, person=apps.head, idempotency_key="k-1"
    )

    assert again.pk == first.pk
    assert (created, replayed) == (True, False)
    assert Application.objects.count() == 1


# --- documents -------------------------------------------------------------------------------------------


@pytest.fixture
def draft(apps, people):
    return svc.application_create(actor=people.clerk_a, programme=apps.programme, person=apps.head)[0]


@pytest.mark.parametrize(
    ("content", "name", "ctype"),
    [(PDF, "a.pdf", "application/pdf"), (PNG, "b.PNG", "image/png"), (JPEG, "c.jpeg", "image/jpeg")],
)
def test_pdf_png_and_jpeg_documents_are_stored_with_their_digest(draft, people, content, name, ctype):
    doc = svc.application_document_add(
        actor=people.clerk_a, application=draft, kind=DocumentKind.ID_CARD, upload=uploaded(content, name)
    )

    assert doc.content_type == ctype
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.size == len(content)
    # stored under a random name (32 hex digits), not the clerk's file name
    stored = Path(doc.file.name)
    assert re.fullmatch(r"[0-9a-f]{32}", stored.stem) and stored.name != name
    with doc.file.open("rb") as f:
        assert f.read() == content


def test_a_document_is_judged_by_its_content_not_its_extension(draft, people):
    with pytest.raises(ValidationError) as exc:
        svc.application_document_add(
            actor=people.clerk_a,
            application=draft,
            kind=DocumentKind.ID_CARD,
            upload=uploaded(b"MZ\x90\x00 not a pdf", "证明.pdf"),
        )

    assert exc.value.code == "document_type"
    assert "不是 PDF、JPEG 或 PNG" in str(exc.value)
    assert not ApplicationDocument.objects.exists()


def test_a_png_renamed_to_pdf_is_refused(draft, people):
    with pytest.raises(ValidationError) as exc:
        svc.application_document_add(
            actor=people.clerk_a, application=draft, kind=DocumentKind.ID_CARD, upload=uploaded(PNG, "x.pdf")
        )

    assert exc.value.code == "document_type_mismatch"


def test_a_document_over_the_size_limit_is_refused(draft, people, settings):
    settings.GUANHUAI_MAX_UPLOAD_BYTES = 1024

    with pytest.raises(ValidationError) as exc:
        svc.application_document_add(
            actor=people.clerk_a,
            application=draft,
            kind=DocumentKind.ID_CARD,
            upload=uploaded(PDF + b"0" * 2000, "big.pdf"),
        )

    assert exc.value.code == "document_too_large"
    assert not ApplicationDocument.objects.exists()


def test_the_documents_limit_is_at_most_10_mb(settings):
    settings.GUANHUAI_MAX_UPLOAD_BYTES = 50 * 1024 * 1024

    assert svc.document_max_bytes() == 10 * 1024 * 1024


def test_the_same_file_twice_on_one_application_is_refused(draft, people):
    svc.application_document_add(
        actor=people.clerk_a, application=draft, kind=DocumentKind.ID_CARD, upload=uploaded()
    )

    with pytest.raises(Conflict) as exc:
        svc.application_document_add(
            actor=people.clerk_a,
            application=draft,
            kind=DocumentKind.HUKOU_BOOK,
            upload=uploaded(name="again.pdf"),
        )

    assert exc.value.code == "duplicate_document"
    assert draft.documents.count() == 1


def test_a_template_programme_needs_its_documents_before_submission(apps, people, tree):
    special = ProgrammeFactory(org_unit=tree.province, created_by=people.admin, template="special_assistance")
    application, _created = svc.application_create(
        actor=people.clerk_a, programme=special, person=apps.spouse
    )
    svc.application_document_add(
        actor=people.clerk_a, application=application, kind=DocumentKind.ID_CARD, upload=uploaded()
    )

    with pytest.raises(ValidationError) as exc:
        svc.application_submit(actor=people.clerk_a, application=application)

    assert exc.value.code == "documents_missing"
    assert "死亡证明或残疾证" in str(exc.value)
    svc.application_document_add(
        actor=people.clerk_a,
        application=application,
        kind=DocumentKind.DEATH_CERTIFICATE,
        upload=uploaded(PNG, "死亡证明.png"),
    )
    submitted = svc.application_submit(actor=people.clerk_a, application=application)
    assert submitted.status == ApplicationStatus.UNDER_REVIEW
    assert submitted.step == "village"
    assert submitted.submitted_at is not None and submitted.submitted_at <= timezone.now()


def test_documents_cannot_be_added_once_submitted(draft, people):
    svc.application_submit(actor=people.clerk_a, application=draft)

    with pytest.raises(Conflict) as exc:
        svc.application_document_add(
            actor=people.clerk_a, application=draft, kind=DocumentKind.ID_CARD, upload=uploaded()
        )

    assert exc.value.code == "not_editable"
