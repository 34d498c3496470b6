"""Re-registration campaigns (会员再登记). One city once re-registered 370,000 members, so every step is
set-based and the two long ones are durable jobs (association/jobs.py):

1. `campaign_open` creates the campaign and queues CAMPAIGN_PREPARE, which copies every active member of
   the subtree into `CampaignEntry` (INSERT … SELECT in member-id ranges, each committed with its
   checkpoint, so a failed job resumes) and then opens the campaign;
2. a village confirms its members in bulk (`campaign_confirm`, one UPDATE of the chosen entries);
3. after the deadline `campaign_close_submit` queues CAMPAIGN_CLOSE, whose `campaign_lapse` lapses every
   member still unconfirmed in ONE UPDATE, after `core.states.check` and with one audit row per member
   written by `audit.services.log_select`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, F, Max, Min, Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.association.models import Campaign, CampaignEntry, Member
from guanhuai.association.permissions import MANAGE_MEMBERS, VIEW
from guanhuai.association.states import CAMPAIGN_TRANSITIONS, MEMBER_TRANSITIONS, CampaignStatus, MemberStatus
from guanhuai.audit.services import log, log_select
from guanhuai.core.errors import ValidationError
from guanhuai.core.locks import relock
from guanhuai.core.sql import analyze, insert_select
from guanhuai.core.states import check, transition
from guanhuai.orgs import paths
from guanhuai.orgs.models import OrgUnit

CAMPAIGN_PREPARE = "association.campaign_prepare"
CAMPAIGN_CLOSE = "association.campaign_close"
PREPARE_CHUNK = 50_000


def campaign_open(
    *, actor: Actor, org_unit: OrgUnit, title: str, opened_on: dt.date, deadline: dt.date
) -> Campaign:
    """Start a campaign over `org_unit`'s subtree; its roll is built by a job (see the module doc)."""
    from guanhuai.jobs.services import job_submit

    scoping.require(actor, MANAGE_MEMBERS, org_unit, visible_perm=VIEW)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写再登记名称。"), code="title")
    if deadline < opened_on:
        raise ValidationError(_("截止日期不能早于开始日期。"), code="deadline")
    if deadline < timezone.localdate():
        raise ValidationError(_("截止日期不能早于今天。"), code="deadline")
    running = Campaign.objects.filter(
        status__in=[CampaignStatus.PREPARING, CampaignStatus.OPEN, CampaignStatus.CLOSING]
    ).filter(org_unit__path__in=[*paths.ancestors(org_unit.path), org_unit.path])
    if (
        running.exists()
        or Campaign.objects.filter(
            status__in=[CampaignStatus.PREPARING, CampaignStatus.OPEN, CampaignStatus.CLOSING],
            org_unit__path__gte=org_unit.path,
            org_unit__path__lt=paths.upper_bound(org_unit.path),
        ).exists()
    ):
        raise ValidationError(_("该范围内已有进行中的会员再登记。"), code="title")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            org_unit=org_unit,
            title=title,
            opened_on=opened_on,
            deadline=deadline,
            created_by=signed_in(actor),
        )
        log(
            campaign,
            "association.campaign.opened",
            actor=actor,
            org_unit=org_unit,
            data={"deadline": deadline},
        )
        job_submit(
            actor=actor,
            kind=CAMPAIGN_PREPARE,
            idempotency_key=f"{CAMPAIGN_PREPARE}:{campaign.pk}",
            params={"campaign_id": campaign.pk},
            org_unit=org_unit,
        )
    return campaign


def campaign_prepare(campaign: Campaign, progress: Any) -> int:
    """The job's work: copy the subtree's active members into the campaign's roll, a member-id range per
    transaction with its checkpoint; a rerun starts after the last committed range. Then open it."""
    job = progress.job
    members = Member.objects.filter(
        status=MemberStatus.ACTIVE,
        org_unit__path__gte=campaign.org_unit.path,
        org_unit__path__lt=paths.upper_bound(campaign.org_unit.path),
    )
    bounds = members.aggregate(lo=Min("pk"), hi=Max("pk"))
    start = int(job.checkpoint.get("after", (bounds["lo"] or 1) - 1))
    hi = bounds["hi"] or 0
    progress.set_total(max(hi - (bounds["lo"] or 1) + 1, 1))
    added = int(job.checkpoint.get("added", 0))
    while start < hi:
        end = start + PREPARE_CHUNK
        with transaction.atomic():
            rows = (
                members.filter(pk__gt=start, pk__lte=end)
                .order_by()
                .annotate(c=Value(campaign.pk, output_field=BigIntegerField()))
                .values_list("c", "pk", "org_unit_id")
            )
            added += insert_select(CampaignEntry, ["campaign_id", "member_id", "org_unit_id"], rows)
            progress.step(min(end, hi) - start, message=_("已生成 %(n)d 名会员的再登记名单") % {"n": added})
            progress.save_checkpoint({"after": end, "added": added})
        start = end
    with transaction.atomic():
        campaign = relock(campaign)
        if campaign.status == CampaignStatus.PREPARING:
            transition(campaign, CampaignStatus.OPEN, CAMPAIGN_TRANSITIONS)
            campaign.save(update_fields=["status"])
    analyze(CampaignEntry)
    job.counts = {"entries": added}
    return added


def campaign_confirm(*, actor: Actor, campaign: Campaign, village: OrgUnit, member_ids: Iterable[int]) -> int:
    """A village confirms members of its roll in one UPDATE (a chair on a phone ticks the whole list).
    Only open campaigns, on or before the deadline; members not on this village's roll are refused."""
    scoping.require(actor, MANAGE_MEMBERS, village, visible_perm=VIEW)
    ids = sorted({int(i) for i in member_ids})
    if not ids:
        raise ValidationError(_("请至少选择一名会员。"), code="members")
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(
            _("这次再登记当前为“%(s)s”，不能确认。") % {"s": campaign.get_status_display()}, code="status"
        )
    if timezone.localdate() > campaign.deadline:
        raise ValidationError(
            _("这次再登记已于 %(d)s 截止，不能再确认。") % {"d": campaign.deadline.isoformat()},
            code="deadline",
        )
    entries = scoping.scope(
        CampaignEntry.objects.filter(campaign=campaign, org_unit=village, member_id__in=ids),
        actor,
        MANAGE_MEMBERS,
    )
    if entries.count() != len(ids):
        raise ValidationError(_("所选会员中有人不在本村(社区)这次再登记的名单上。"), code="members")
    with transaction.atomic():
        todo = entries.filter(confirmed_at__isnull=True)
        log_select(
            todo,
            "association.campaign.confirmed",
            actor=actor,
            object_repr=Concat(Value("#"), F("member_id")),
            data={"campaign": campaign.pk},
        )
        return todo.update(confirmed_at=timezone.now(), confirmed_by=actor)


def campaign_close_submit(*, actor: Actor, campaign: Campaign) -> Any:
    """After the deadline: mark the campaign closing and queue the job that lapses the unconfirmed."""
    from guanhuai.jobs.services import job_submit

    scoping.require(actor, MANAGE_MEMBERS, campaign.org_unit, visible_perm=VIEW)
    if timezone.localdate() <= campaign.deadline:
        raise ValidationError(
            _("截止日期 %(d)s 之后才能结束再登记。") % {"d": campaign.deadline.isoformat()}, code="deadline"
        )
    with transaction.atomic():
        campaign = relock(campaign)
        transition(campaign, CampaignStatus.CLOSING, CAMPAIGN_TRANSITIONS)
        campaign.save(update_fields=["status"])
        log(campaign, "association.campaign.closing", actor=actor, org_unit=campaign.org_unit)
        job, _created = job_submit(
            actor=actor,
            kind=CAMPAIGN_CLOSE,
            idempotency_key=f"{CAMPAIGN_CLOSE}:{campaign.pk}",
            params={"campaign_id": campaign.pk},
            org_unit=campaign.org_unit,
        )
    return job


def unconfirmed(campaign: Campaign) -> Any:
    """The members a campaign lapses: still active, on its roll, not confirmed."""
    return Member.objects.filter(
        status=MemberStatus.ACTIVE,
        pk__in=CampaignEntry.objects.filter(campaign=campaign, confirmed_at__isnull=True).values("member_id"),
    )


def campaign_lapse(*, actor: Actor, campaign: Campaign) -> int:
    """Lapse every unconfirmed member in ONE set-based UPDATE (ended on the deadline), with one audit row
    each, and close the campaign. A rerun finds nobody left to lapse and only closes it."""
    check(MEMBER_TRANSITIONS, MemberStatus.ACTIVE, MemberStatus.LAPSED)
    # The villages' confirmations changed most of the roll since the job that built it analysed it; with
    # those statistics PostgreSQL expects every entry to be unconfirmed and scans the whole member table.
    analyze(CampaignEntry)
    with transaction.atomic():
        campaign = relock(campaign)
        rows = unconfirmed(campaign)
        log_select(
            rows,
            "association.member.lapsed",
            actor=actor,
            object_repr=Concat("name", Value("（"), "card_no", Value("）")),
            data={"campaign": campaign.pk},
        )
        lapsed = rows.update(
            status=MemberStatus.LAPSED, ended_on=Greatest("joined_on", Value(campaign.deadline))
        )
        if campaign.status == CampaignStatus.CLOSING:
            transition(campaign, CampaignStatus.CLOSED, CAMPAIGN_TRANSITIONS)
            campaign.lapsed += lapsed
            campaign.save(update_fields=["status", "lapsed"])
            log(
                campaign,
                "association.campaign.closed",
                actor=actor,
                org_unit=campaign.org_unit,
                data={"lapsed": lapsed},
            )
    return lapsed
