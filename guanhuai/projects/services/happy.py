"""Happy Family selection (幸福家庭评选): a village nominates a registry household under a selecting project,
with a statement of evidence for each of the five criteria (`happy_rules.CRITERIA`); each level above the
village, up to the project's own branch, recommends it upward (推荐) or not (不予推荐); the last level names it
(命名).

- **Who.** The nominator logs the project's activities at the household's village (a village clerk). The
  reviewer at a step holds `projects.select_families` at the household's branch of that step's level (or above
  it). Nobody reviews a nomination they made, and one person recommends or names at one level only.
- **One step at a time.** A decision names the step it was made at (the one the reviewer saw); when the
  nomination has moved on, or a replayed form comes in, it is refused (409) and nothing is written. The row is
  locked while the decision is written, and the database keeps one decision per step.
- **Publishing** is not decided here: the portal shows a named family only while the household head's honours
  consent is in force (selectors/happy.py)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core import states
from guanhuai.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from guanhuai.core.locks import relock
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.projects import happy_rules as rules
from guanhuai.projects.models import Project
from guanhuai.projects.models_happy import Nomination, NominationReview
from guanhuai.projects.permissions import LOG_ACTIVITIES, SELECT_FAMILIES, VIEW
from guanhuai.projects.services.common import lock
from guanhuai.projects.services.documents import document_upload
from guanhuai.projects.services.outcomes import in_area
from guanhuai.projects.states import (
    NOMINATION_TRANSITIONS,
    RUNNING,
    NominationStatus,
    SelectionDecision,
)
from guanhuai.registry.models import Household

# Sent after commit when a family is named or its title revoked, with the household's branch: what the public
# Happy Family list shows changed there (the portal drops the cached pages of the sites above it).
honours_changed = Signal()


def _honours_changed(nomination: Nomination) -> None:
    unit = nomination.household.org_unit
    transaction.on_commit(lambda: honours_changed.send(sender=Nomination, unit=unit))


def selects_families(project: Project) -> bool:
    """Whether the project's type selects families (it lists the `families_named` indicator)."""
    return rules.FAMILIES_NAMED in project.type.codes("outcome_indicators")


def nomination_steps(nomination: Nomination) -> list[str]:
    return rules.steps_for(
        village_level=nomination.household.org_unit.level, owner_level=nomination.project.org_unit.level
    )


def nomination_step_unit(nomination: Nomination, step: str) -> OrgUnit | None:
    """The household's branch at the step's level (its township, county, city …), which decides there."""
    unit = nomination.household.org_unit
    if unit.level == step:
        return unit
    return OrgUnit.objects.filter(path__in=unit.ancestor_paths(), level=step).first()


def can_review_at(actor: Actor, nomination: Nomination) -> bool:
    """Whether the actor may decide the nomination at its current step (for the page's action form)."""
    if nomination.status != NominationStatus.UNDER_REVIEW:
        return False
    unit = nomination_step_unit(nomination, nomination.step)
    me = getattr(actor, "pk", None)
    return (
        unit is not None
        and scoping.can(actor, SELECT_FAMILIES, unit)
        and me != nomination.nominated_by_id
        and not any(r.reviewer_id == me and r.step != nomination.step for r in nomination.reviews.all())
    )


def _evidence(evidence: dict[str, Any]) -> dict[str, str]:
    """A statement for every criterion, each at most EVIDENCE_MAX characters; refused naming the missing."""
    clean: dict[str, str] = {}
    missing, long = [], []
    for c in rules.CRITERIA:
        text = str(evidence.get(c.code) or "").strip()
        if not text:
            missing.append(str(c.label))
        elif len(text) > rules.EVIDENCE_MAX:
            long.append(str(c.label))
        clean[c.code] = text
    unknown = [code for code in evidence if code not in rules.CRITERION_CODES]
    if unknown:
        raise ValidationError(
            _("评选标准“%(c)s”不存在（标准为文明、健康、优生、致富、奉献）。") % {"c": unknown[0]},
            code="criterion_unknown",
        )
    if missing:
        raise ValidationError(
            _("每项评选标准都须写明事实依据：%(items)s 未填写。") % {"items": "、".join(missing)},
            code="evidence_missing",
        )
    if long:
        raise ValidationError(
            _("事实依据每项不超过 %(n)d 字：%(items)s 过长。")
            % {"n": rules.EVIDENCE_MAX, "items": "、".join(long)},
            code="evidence_too_long",
        )
    return clean


def _area_names(project: Project) -> str:
    return "、".join(project.area_rows.order_by("org_unit__path").values_list("org_unit__name", flat=True))


def nomination_create(
    *,
    actor: Actor,
    project: Project,
    household: Household,
    evidence: dict[str, Any],
    document: Any = None,
) -> Nomination:
    """Nominate (提名) a household of the actor's village under an approved or running selecting project. The
    household must live inside the project's area; every criterion needs its statement of evidence; an
    optional document goes through the project's upload checks. A household is nominated once per project."""
    if not selects_families(project):
        raise ValidationError(
            _("“%(p)s”不是幸福家庭评选项目，不能提名家庭。") % {"p": project.name}, code="not_selecting"
        )
    unit = household.org_unit
    if not scoping.can(actor, LOG_ACTIVITIES, unit):
        raise PermissionDenied(
            _("提名须由户所在的%(u)s办理：您没有在那里登记项目活动的权限。") % {"u": unit.name},
            code="not_your_village",
        )
    if unit.level != Level.VILLAGE:
        raise ValidationError(
            _("户“%(n)s”登记在%(u)s，不是村（社区），不能提名。") % {"n": household.number, "u": unit.name},
            code="household_not_in_village",
        )
    if not in_area(project, unit):
        raise ValidationError(
            _("户“%(n)s”所在的%(u)s不在项目“%(p)s”的实施范围（%(area)s）内，不能提名。")
            % {"n": household.number, "u": unit.name, "p": project.name, "area": _area_names(project)},
            code="household_outside_area",
        )
    clean = _evidence(evidence)
    try:
        with transaction.atomic():
            project = lock(project)
            if project.status not in RUNNING:
                raise Conflict(
                    _("项目当前状态为“%(s)s”，不能提名（须已批准或实施中）。")
                    % {"s": project.get_status_display()},
                    code="project_not_running",
                )
            attached = None
            if document is not None:
                attached = document_upload(
                    actor=actor, project=project, kind="other", upload=document, place=unit
                )
            steps = rules.steps_for(village_level=unit.level, owner_level=project.org_unit.level)
            nomination = Nomination.objects.create(
                project=project,
                household=household,
                evidence=clean,
                document=attached,
                step=steps[0],
                nominated_by=signed_in(actor),
            )
            log(
                nomination,
                "projects.nomination.created",
                actor=actor,
                org_unit=unit,
                data={"project": project.pk, "household": household.pk, "step": steps[0]},
            )
    except IntegrityError:
        existing = (
            Nomination.objects.unscoped("the nomination that made this one a duplicate")
            .filter(project=project, household=household)
            .first()
        )
        raise Conflict(
            _("户“%(n)s”已在本项目中被提名（%(s)s），不能重复提名。")
            % {"n": household.number, "s": existing.get_status_display() if existing else ""},
            code="duplicate_nomination",
        ) from None
    return nomination


def _lock(nomination: Nomination) -> Nomination:
    return relock(
        nomination, "project", "project__org_unit", "project__type", "household", "household__org_unit"
    )


def nomination_review(
    *,
    actor: Actor,
    nomination: Nomination,
    decision: str,
    comment: str = "",
    step: str | None = None,
) -> Nomination:
    """One decision at the nomination's current step: recommend (推荐) it to the next level, or not (不予推荐,
    with a reason); at the last step, name it (命名) or not. `step` is the step the reviewer saw: when the
    nomination is no longer there (another reviewer acted, or the form was sent twice), nothing is written."""
    comment = (comment or "").strip()
    if decision not in SelectionDecision.values:
        raise ValidationError(_("评审结论“%(d)s”无效。") % {"d": decision}, code="bad_decision")
    if not scoping.can(actor, VIEW, nomination.household.org_unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    with transaction.atomic():
        nomination = _lock(nomination)
        if nomination.status != NominationStatus.UNDER_REVIEW:
            raise Conflict(
                _("该提名已%(s)s，不能再评审。") % {"s": nomination.get_status_display()},
                code="not_under_review",
            )
        current = nomination.step
        if step and step != current:
            raise Conflict(
                _("该提名已到“%(now)s”环节，您提交的是“%(was)s”环节的意见，未保存。")
                % {"now": rules.step_label(current), "was": rules.step_label(step)},
                code="stale_step",
            )
        unit = nomination_step_unit(nomination, current)
        if unit is None or not scoping.can(actor, SELECT_FAMILIES, unit):
            raise PermissionDenied(
                _("该提名正在“%(step)s”环节，须由%(unit)s有幸福家庭评审权限的人员办理。")
                % {"step": rules.step_label(current), "unit": unit.name if unit else current},
                code="wrong_level",
            )
        me = signed_in(actor)
        if nomination.nominated_by_id == me.pk:
            raise PermissionDenied(
                _("您提名了这户家庭，不能评审它（提名与评审须由不同的人办理）。"), code="own_nomination"
            )
        if nomination.reviews.filter(reviewer=me).exclude(step=current).exists():
            raise PermissionDenied(
                _("您已在另一级评审过这份提名，同一人只能评审一级。"), code="one_step_per_person"
            )
        steps = nomination_steps(nomination)
        last = current == steps[-1]
        if decision == SelectionDecision.NAME and not last:
            raise ValidationError(
                _("只有最后一级（%(step)s）可以命名，本级请选择推荐或不予推荐。")
                % {"step": rules.step_label(steps[-1])},
                code="not_last_step",
            )
        if decision == SelectionDecision.RECOMMEND and last:
            raise ValidationError(_("这是最后一级评审，请选择命名或不予推荐。"), code="last_step_names")
        if decision == SelectionDecision.NOT_RECOMMENDED and not comment:
            raise ValidationError(_("不予推荐须说明理由。"), code="reason_required")
        NominationReview.objects.create(
            nomination=nomination, step=current, decision=decision, comment=comment, reviewer=me
        )
        fields = ["status", "step"]
        if decision == SelectionDecision.RECOMMEND:
            states.transition(nomination, NominationStatus.UNDER_REVIEW, NOMINATION_TRANSITIONS)
            nomination.step = steps[steps.index(current) + 1]
            action = "projects.nomination.recommended"
        elif decision == SelectionDecision.NAME:
            states.transition(nomination, NominationStatus.NAMED, NOMINATION_TRANSITIONS)
            nomination.step = ""
            nomination.named_at = timezone.now()
            fields.append("named_at")
            action = "projects.nomination.named"
            _honours_changed(nomination)
        else:
            states.transition(nomination, NominationStatus.NOT_RECOMMENDED, NOMINATION_TRANSITIONS)
            nomination.step = ""
            action = "projects.nomination.not_recommended"
        nomination.save(update_fields=fields)
        log(
            nomination,
            action,
            actor=actor,
            org_unit=nomination.household.org_unit,
            data={"step": current, "next_step": nomination.step, "comment": comment},
        )
    return nomination


def can_revoke(actor: Actor, nomination: Nomination) -> bool:
    """Whether the actor may take back the title (for the page's form): a named family, and the actor may
    select families at the project's own branch, the level that named it."""
    return nomination.status == NominationStatus.NAMED and scoping.can(
        actor, SELECT_FAMILIES, nomination.project.org_unit
    )


def nomination_revoke(*, actor: Actor, nomination: Nomination, reason: str) -> Nomination:
    """Take back a named family's title (撤销命名), e.g. when the facts it rested on prove untrue: by the level
    that named it (`projects.select_families` at the project's own branch), with a reason. The nomination and
    its reviews stay; the family leaves the portal's list and the count of families named at once. A second
    revocation (a replayed form) is refused with 409 and writes nothing."""
    reason = (reason or "").strip()
    if not scoping.can(actor, VIEW, nomination.household.org_unit):
        raise NotFound(_("未找到该记录，或您无权访问。"))
    if not reason:
        raise ValidationError(_("撤销命名须说明理由。"), code="reason_required")
    with transaction.atomic():
        nomination = _lock(nomination)
        if not scoping.can(actor, SELECT_FAMILIES, nomination.project.org_unit):
            raise PermissionDenied(
                _("撤销命名须由命名单位（%(unit)s）有幸福家庭评审权限的人员办理。")
                % {"unit": nomination.project.org_unit.name},
                code="wrong_level",
            )
        if nomination.status != NominationStatus.NAMED:
            raise Conflict(
                _("该提名%(s)s，不能撤销命名。") % {"s": nomination.get_status_display()},
                code="not_named",
            )
        states.transition(nomination, NominationStatus.REVOKED, NOMINATION_TRANSITIONS)
        nomination.revoked_at = timezone.now()
        nomination.revoked_by = signed_in(actor)
        nomination.revoke_reason = reason
        nomination.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        _honours_changed(nomination)
        log(
            nomination,
            "projects.nomination.revoked",
            actor=actor,
            org_unit=nomination.household.org_unit,
            data={
                "named_at": nomination.named_at.isoformat() if nomination.named_at else None,
                "reason": reason,
            },
        )
    return nomination
