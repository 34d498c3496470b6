"""Demonstration villages and counties (示范村/县): a village (or county) applies with its self-assessed 五有
and the indicators read from the platform; the levels above review it in turn (a village: township → county
→ city; a county: city → province), with segregation of duties as in the programmes' review (nobody passes
their own application, one person passes at most one level); the last pass designates it for three years;
re-evaluation falls due 90 days before expiry (a new application renews it); revocation needs a reason.
Criteria are data: `designation_rules.py`."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log, log_many
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.states import transition
from guanhuai.governance import designation_rules as rules
from guanhuai.governance.models import Designation, DesignationApplication, DesignationReview
from guanhuai.governance.permissions import APPLY_DESIGNATION, MANAGE, VIEW
from guanhuai.governance.selectors.designations import designation_of, indicator_values
from guanhuai.governance.states import (
    APPLICATION_TRANSITIONS,
    DESIGNATION_TRANSITIONS,
    ApplicationStatus,
    DesignationStatus,
    DesignationStep,
    Rating,
    ReviewDecisionKind,
)
from guanhuai.orgs.models import OrgUnit


def _day(d: Any) -> str:
    return date_format(d, "Y年n月j日")


def _evidence(evidence: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """All five of the 五有 self-assessed as met, each with its evidence; otherwise refused, naming them."""
    clean: dict[str, dict[str, Any]] = {}
    missing, bare = [], []
    for item in rules.FIVE_HAVES:
        given = evidence.get(item.code) or {}
        met = bool(given.get("met"))
        text = str(given.get("evidence") or "").strip()[:500]
        if not met:
            missing.append(str(item.label))
        elif not text:
            bare.append(str(item.label))
        clean[item.code] = {"met": met, "evidence": text}
    if missing:
        raise ValidationError(
            _("“五有”未全部达到（%(items)s），不能申报。") % {"items": "、".join(missing)}, code="evidence"
        )
    if bare:
        raise ValidationError(
            _("“五有”每一项须写明佐证：%(items)s 未填写。") % {"items": "、".join(bare)}, code="evidence"
        )
    return clean


def _renewable(unit: OrgUnit, rating: str) -> Designation | None:
    """The designation an application would renew or replace. Applying again for a rating already held is
    refused until its re-evaluation falls due; applying for demonstration while qualified replaces it."""
    current = designation_of(unit=unit)
    if current is None:
        return None
    due = rules.reevaluation_due(current.valid_until)
    upgrade = current.rating == Rating.QUALIFIED and rating == Rating.DEMONSTRATION
    if not upgrade and timezone.localdate() < due:
        raise Conflict(
            _("%(unit)s已评为%(rating)s，有效期至%(until)s；%(due)s起可申报复评。")
            % {
                "unit": unit.name,
                "rating": Rating(current.rating).label,
                "until": _day(current.valid_until),
                "due": _day(due),
            },
            code="designation_in_force",
        )
    return current


def designation_apply(
    *, actor: Actor, unit: OrgUnit, rating: str, evidence: dict[str, Any], note: str = ""
) -> DesignationApplication:
    scoping.require(actor, APPLY_DESIGNATION, unit, visible_perm=VIEW)
    allowed = rules.APPLICANT_LEVELS.get(unit.level, ())
    if rating not in allowed:
        raise ValidationError(
            _("%(unit)s不能申报“%(rating)s”：村(社区)可申报合格或示范，县(区)可申报示范县。")
            % {"unit": unit.name, "rating": Rating(rating).label if rating in Rating.values else rating},
            code="rating",
        )
    clean = _evidence(evidence)
    renews = _renewable(unit, rating)
    values = indicator_values(actor=actor, unit=unit, rating=rating)
    short = [v for v in values if not v.met]
    if short:
        raise ValidationError(
            _("以下指标未达到%(rating)s标准：%(items)s。")
            % {
                "rating": Rating(rating).label,
                "items": "；".join(f"{v.indicator.label}（{v.shown}）" for v in short),
            },
            code="indicators",
        )
    try:
        with transaction.atomic():
            application = DesignationApplication.objects.create(
                unit=unit,
                rating=rating,
                step=rules.STEPS[unit.level][0],
                evidence=clean,
                indicators=[v.as_json() for v in values],
                note=note.strip()[:1000],
                renews=renews,
                created_by=signed_in(actor),
                submitted_at=timezone.now(),
            )
            log(
                application,
                "governance.designation.applied",
                actor=actor,
                org_unit=unit,
                data={"rating": rating, "indicators": application.indicators},
            )
    except IntegrityError:
        raise Conflict(
            _("%(unit)s已有一份申报正在审核，不能重复申报。") % {"unit": unit.name}, code="application_open"
        )
    return application


def _step_unit(application: DesignationApplication) -> OrgUnit:
    """The applicant's branch at the level of the current step (its township, county, city or province)."""
    level = rules.STEP_LEVELS[application.step]
    return OrgUnit.objects.get(path__in=application.unit.ancestor_paths(), level=level)


def designation_review(
    *, actor: Actor, application: DesignationApplication, decision: str, comment: str = ""
) -> DesignationApplication:
    """One decision at the application's current level, by someone holding that level's permission on the
    applicant's branch of that level. Never by the applicant; one person decides at most one level; a
    refusal needs a reason. The last level's pass designates the branch (renewing the one it replaces)."""
    comment = (comment or "").strip()
    if decision not in ReviewDecisionKind.values:
        raise ValidationError(_("审核结论“%(d)s”无效。") % {"d": decision}, code="decision")
    if not scoping.can(actor, VIEW, application.unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    with transaction.atomic():
        application = (
            DesignationApplication.objects.select_for_update()
            .select_related("unit")
            .unscoped("re-read under lock")
            .get(pk=application.pk)
        )
        if application.status != ApplicationStatus.UNDER_REVIEW:
            raise Conflict(
                _("该申报已%(status)s，不能再审核。")
                % {"status": ApplicationStatus(application.status).label},
                code="not_under_review",
            )
        step = application.step
        perm = rules.STEP_PERMISSIONS[step]
        if not scoping.can(actor, perm, _step_unit(application)):
            raise PermissionDenied(
                _("该申报正在“%(step)s”环节，您没有这一级的审核权限。")
                % {"step": DesignationStep(step).label},
                code="wrong_level",
            )
        user = signed_in(actor)
        if application.created_by_id == user.pk:
            raise PermissionDenied(_("不能审核自己提交的申报。"), code="own_application")
        if application.reviews.filter(reviewer=user, decision=ReviewDecisionKind.PASS).exists():
            raise PermissionDenied(
                _("您已审核过该申报的一个环节，同一人不能审核两个环节。"), code="second_step"
            )
        if decision == ReviewDecisionKind.REFUSE and not comment:
            raise ValidationError(_("不通过须说明理由。"), code="comment")
        DesignationReview.objects.create(
            application=application, step=step, decision=decision, comment=comment[:1000], reviewer=user
        )
        fields = ["step"]
        if decision == ReviewDecisionKind.REFUSE:
            transition(application, ApplicationStatus.REFUSED, APPLICATION_TRANSITIONS)
            application.decided_at = timezone.now()
            fields += ["status", "decided_at"]
        else:
            steps = rules.STEPS[application.unit.level]
            following = steps[steps.index(step) + 1 :]
            if following:
                application.step = following[0]
            else:
                transition(application, ApplicationStatus.APPROVED, APPLICATION_TRANSITIONS)
                application.decided_at = timezone.now()
                fields += ["status", "decided_at"]
                _designate(application, actor=actor)
        application.save(update_fields=fields)
        log(
            application,
            f"governance.designation.{'passed' if decision == ReviewDecisionKind.PASS else 'refused'}",
            actor=actor,
            org_unit=application.unit,
            data={"step": step, "comment": comment},
        )
    return application


def _designate(application: DesignationApplication, *, actor: Actor) -> Designation:
    current = designation_of(unit=application.unit)
    if current is not None:
        current = relock(current)
        transition(current, DesignationStatus.RENEWED, DESIGNATION_TRANSITIONS)
        current.save(update_fields=["status"])
    today = timezone.localdate()
    designation = Designation.objects.create(
        unit=application.unit,
        rating=application.rating,
        application=application,
        valid_from=today,
        valid_until=rules.valid_until(today),
    )
    log(
        designation,
        "governance.designation.designated",
        actor=actor,
        org_unit=application.unit,
        data={"rating": application.rating, "until": designation.valid_until.isoformat()},
    )
    return designation


def designation_revoke(*, actor: Actor, designation: Designation, reason: str) -> Designation:
    scoping.require(actor, MANAGE, designation.unit, visible_perm=VIEW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("撤销评定须说明理由。"), code="reason")
    with transaction.atomic():
        designation = (
            Designation.objects.select_for_update()
            .select_related("unit")
            .unscoped("re-read under lock")
            .get(pk=designation.pk)
        )
        if (
            designation.status == DesignationStatus.IN_FORCE
            and designation.valid_until < timezone.localdate()
        ):
            raise Conflict(
                _("该评定已于%(until)s到期，无需撤销。") % {"until": _day(designation.valid_until)},
                code="expired",
            )
        transition(designation, DesignationStatus.REVOKED, DESIGNATION_TRANSITIONS)
        designation.revoked_at = timezone.now()
        designation.revoke_reason = reason[:1000]
        designation.revoked_by = signed_in(actor)
        designation.save(update_fields=["status", "revoked_at", "revoke_reason", "revoked_by"])
        log(
            designation,
            "governance.designation.revoked",
            actor=actor,
            org_unit=designation.unit,
            data={"reason": designation.revoke_reason},
        )
    return designation


def designation_record(
    *, actor: Actor, units: list[OrgUnit], rating: str, valid_from: Any, note: str
) -> list[Designation]:
    """Designations made before the platform, entered from the paper record (`note` says where it is kept):
    an approved application with no review on the platform, and the designation from `valid_from`. For a
    governance officer bringing a county's existing ratings in at once: set-based, one audit entry per
    designation. Refused whole, naming the branches, when any already holds a designation in force."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("录入已有评定须注明原评定文件（文号或存档处）。"), code="note")
    for unit in units:
        scoping.require(actor, MANAGE, unit, visible_perm=VIEW)
        if rating not in rules.APPLICANT_LEVELS.get(unit.level, ()):
            raise ValidationError(
                _("%(unit)s不能评为“%(rating)s”。") % {"unit": unit.name, "rating": rating}, code="rating"
            )
    until = rules.valid_until(valid_from)
    if until < timezone.localdate():
        raise ValidationError(
            _("该评定已于%(until)s到期，不必录入。") % {"until": _day(until)}, code="expired"
        )
    user = signed_in(actor)
    now = timezone.now()
    with transaction.atomic():
        held = list(
            Designation.objects.filter(unit__in=units, status=DesignationStatus.IN_FORCE)
            .unscoped("the units were checked above")
            .select_related("unit")
        )
        if held:
            raise Conflict(
                _("以下单位已有有效评定：%(units)s。") % {"units": "、".join(d.unit.name for d in held)},
                code="designation_in_force",
            )
        applications = DesignationApplication.objects.bulk_create(
            [
                DesignationApplication(
                    unit=unit,
                    rating=rating,
                    status=ApplicationStatus.APPROVED,
                    note=note[:1000],
                    created_by=user,
                    submitted_at=now,
                    decided_at=now,
                )
                for unit in units
            ]
        )
        designations = Designation.objects.bulk_create(
            [
                Designation(
                    unit_id=a.unit_id, rating=rating, application=a, valid_from=valid_from, valid_until=until
                )
                for a in applications
            ]
        )
        log_many(
            designations,
            "governance.designation.recorded",
            actor=actor,
            data={"rating": rating, "note": note},
        )
    return designations
