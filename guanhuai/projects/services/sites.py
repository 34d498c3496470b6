"""Warm Home sites: checking an item of the "六有" standard (models_sites.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.core.errors import ValidationError
from guanhuai.projects.models import Project, ProjectDocument
from guanhuai.projects.models_sites import SIX_PREFIX, SiteCheck
from guanhuai.projects.permissions import LOG_ACTIVITIES, VIEW
from guanhuai.projects.services.common import audit, lock, today


def standard_items(project: Project) -> list[dict[str, str]]:
    """The items of the standard for this project's type: its indicators coded `six_…` ([] for other types)."""
    return [e for e in project.type.entries("outcome_indicators") if e["code"].startswith(SIX_PREFIX)]


def site_check(
    *,
    actor: Actor,
    project: Project,
    item: str,
    met: bool,
    evidence: ProjectDocument | None = None,
    note: str = "",
    checked_on: dt.date | None = None,
) -> SiteCheck:
    """Record whether a Warm Home meets one item of the standard. A met item needs evidence: a document of
    the same project (a photo of the venue, the rules, the plan). Whoever logs the project's activities may."""
    scoping.require(actor, LOG_ACTIVITIES, project.org_unit, visible_perm=VIEW)
    items = {e["code"]: e["label"] for e in standard_items(project)}
    if not items:
        raise ValidationError(
            _("“%(type)s”项目没有“六有”标准。") % {"type": project.type.name}, code="no_standard"
        )
    if item not in items:
        raise ValidationError(_("“六有”标准中没有“%(item)s”这一项。") % {"item": item}, code="bad_item")
    if evidence is not None and evidence.project_id != project.pk:
        raise ValidationError(_("佐证材料须是本项目上传的材料。"), code="evidence_other_project")
    if met and evidence is None:
        raise ValidationError(
            _("“%(item)s”达标须附佐证材料（先上传照片或文件）。") % {"item": _(items[item])},
            code="evidence_required",
        )
    day = checked_on or today()
    if day > today():
        raise ValidationError(_("核查日期不能晚于今天。"), code="future_date")
    with transaction.atomic():
        project = lock(project)
        check, _created = project.site_checks.update_or_create(
            item=item,
            defaults={
                "met": met,
                "evidence": evidence if met else None,
                "note": (note or "").strip()[:300],
                "checked_on": day,
                "checked_by": signed_in(actor),
            },
        )
        audit(project, "projects.site.checked", actor=actor, obj=check, item=item, met=met)
    return check
