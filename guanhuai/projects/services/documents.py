"""A project's files: photos, sign-in sheets, report attachments. Checked on upload as every document is
(`core.uploads`: size, content judged from the first bytes), stored under a random name, served only through
a scoped view."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import Conflict, ValidationError
from guanhuai.core.uploads import read_document, store
from guanhuai.orgs.models import OrgUnit
from guanhuai.projects.models import Project, ProjectDocument, ProjectReport
from guanhuai.projects.models_outcomes import Activity
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW
from guanhuai.projects.services.common import audit, lock
from guanhuai.projects.states import DocumentKind

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def document_max_bytes() -> int:
    return min(int(getattr(settings, "GUANHUAI_MAX_UPLOAD_BYTES", DOCUMENT_MAX_BYTES)), DOCUMENT_MAX_BYTES)


def document_upload(
    *,
    actor: Actor,
    project: Project,
    kind: str,
    upload: Any,
    report: ProjectReport | None = None,
    place: OrgUnit | None = None,
) -> ProjectDocument:
    """Attach a PDF, JPEG or PNG to a project (optionally to one of its reports). Whoever logs the project's
    activities may (at `place`, an activity's branch of the project's area, for the photos of an activity
    logged by someone who implements the project there); the same file twice on one project is refused."""
    scoping.require(actor, LOG_ACTIVITIES, place or project.org_unit, visible_perm=VIEW)
    if kind not in DocumentKind.values:
        raise ValidationError(_("材料类型“%(kind)s”不存在。") % {"kind": kind}, code="document_kind")
    if report is not None and report.project_id != project.pk:
        raise ValidationError(_("该报告不属于这个项目。"), code="other_project")
    checked = read_document(upload, max_bytes=document_max_bytes())
    with transaction.atomic():
        project = lock(project)
        if project.documents.filter(sha256=checked.sha256).exists():
            raise Conflict(_("这份文件已经上传过（内容完全相同），不必重复上传。"), code="duplicate_document")
        document = ProjectDocument(
            project=project,
            kind=kind,
            report=report,
            uploaded_by=signed_in(actor),
        )
        store(document, checked)
        audit(
            project,
            "projects.document.uploaded",
            actor=actor,
            obj=document,
            kind=kind,
            file_name=checked.name,
            sha256=checked.sha256,
        )
    return document


def activity_photo_add(*, actor: Actor, activity: Activity, upload: Any) -> ProjectDocument:
    """A photo for an activity already logged (the API's second step; the page sends them with the
    activity): the document's upload checks, at the activity's place, and attached to the activity."""
    with transaction.atomic():
        photo = document_upload(
            actor=actor,
            project=activity.project,
            kind=DocumentKind.PHOTO,
            upload=upload,
            place=activity.venue_unit,
        )
        activity.photos.add(photo)
    return photo
