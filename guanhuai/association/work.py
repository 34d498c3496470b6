"""The association app's items on the home page's work queue (`core/work.py` says how items work)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor
from guanhuai.association import selectors
from guanhuai.association.permissions import (
    MANAGE_CADRES,
    MANAGE_CARE,
    MANAGE_MEETINGS,
    MANAGE_MEMBERS,
    MANAGE_TRAINING,
    VIEW_CARE,
)
from guanhuai.association.selectors import care as care_selectors
from guanhuai.association.selectors import meetings as meeting_selectors
from guanhuai.core.work import WorkItem, register

CARE = _("特殊家庭关爱")


@register("association.follow_ups_overdue", order=730, group=CARE)
def follow_ups_overdue(actor: Actor) -> WorkItem | None:
    """The actor's own visit follow-ups past their date."""
    if not scoping.can_anywhere(actor, VIEW_CARE):
        return None
    n = care_selectors.overdue_follow_ups(actor=actor).count()
    return WorkItem(
        label=_("逾期的走访跟进"), count=n, url=reverse("association:care_follow_ups"), tone="warning"
    )


@register("association.families_without_liaison", order=740, group=CARE)
def families_without_liaison(actor: Actor) -> WorkItem | None:
    """Special families in the actor's area with no liaison in force today (the first of the three
    coverages a county checks)."""
    if not scoping.can_anywhere(actor, MANAGE_CARE):
        return None
    n = care_selectors.coverage_gaps(actor=actor, gap="liaison").count()
    return WorkItem(
        label=_("无结对联系人的特殊家庭"), count=n, url=reverse("association:care_gaps") + "?gap=liaison"
    )


# --- part 1: members and cadres (orders 700–719) --------------------------------------------------------------


@register("association.reregistration", order=700, group=_("协会建设"))
def reregistration(actor: Actor) -> WorkItem | None:
    """Members still to confirm in open re-registration campaigns of the actor's branches (a village chair
    sees their village's; the link opens the campaigns). Hidden when no campaign is open there."""
    if not scoping.can_anywhere(actor, MANAGE_MEMBERS):
        return None
    left = selectors.campaign_entries_to_confirm(actor=actor, perm=MANAGE_MEMBERS).count()
    if not left:
        return None
    return WorkItem(
        label=_("会员再登记待确认"),
        detail=_("截止前确认，逾期未确认的会员将转为未再登记"),
        count=left,
        url=reverse("association:campaigns"),
    )


@register("association.reregistration_to_close", order=701, group=_("协会建设"))
def reregistration_to_close(actor: Actor) -> WorkItem | None:
    """Re-registration campaigns of the actor's branches whose deadline has passed and that are still open:
    their unconfirmed members stay active until someone closes the campaign. Hidden when there is none."""
    if not scoping.can_anywhere(actor, MANAGE_MEMBERS):
        return None
    due = selectors.campaigns_to_close(actor=actor, perm=MANAGE_MEMBERS).count()
    if not due:
        return None
    return WorkItem(
        label=_("会员再登记已截止待结束"),
        detail=_("结束后，逾期未确认的会员转为未再登记"),
        count=due,
        url=reverse("association:campaigns"),
        tone="warning",
    )


@register("association.township_without_cadre", order=710, group=_("协会建设"))
def township_without_cadre(actor: Actor) -> WorkItem | None:
    """Townships of the actor's branches whose association has no full-time cadre in post."""
    if not scoping.can_anywhere(actor, MANAGE_CADRES):
        return None
    count = selectors.townships_without_full_time_cadre(actor=actor, perm=MANAGE_CADRES).count()
    return WorkItem(
        label=_("乡镇协会缺专职干部"),
        count=count,
        url=reverse("association:cadres") + "?vacant=1",
        tone="warning" if count else "",
    )


# --- training ---
TRAINING = _("培训")


@register("association.training_today", order=780, group=TRAINING)
def training_today(actor: Actor) -> WorkItem | None:
    """Courses running today: the trainer opens a session's sign-in from there."""
    if not scoping.can_anywhere(actor, MANAGE_TRAINING):
        return None
    count = selectors.course_list(actor=actor, state="today", perm=MANAGE_TRAINING).order_by().count()
    return WorkItem(
        label=_("今天的培训班"),
        detail=_("打开课次显示签到码"),
        count=count,
        url=reverse("association:training") + "?state=today",
    )


@register("association.certificates_due", order=781, group=TRAINING)
def certificates_due(actor: Actor) -> WorkItem | None:
    """Courses that ended in the last 90 days with attendance and no certificate issued yet."""
    if not scoping.can_anywhere(actor, MANAGE_TRAINING):
        return None
    count = selectors.course_list(actor=actor, state="to_certify", perm=MANAGE_TRAINING).order_by().count()
    return WorkItem(
        label=_("待发培训证书"),
        count=count,
        url=reverse("association:training") + "?state=to_certify",
        tone="warning" if count else "",
    )


@register("association.meeting_actions_overdue", order=720, group=_("协会建设"))
def meeting_actions_overdue(actor: Actor) -> WorkItem | None:
    """Joint-meeting action items past their due date and still open, in the actor's branches. Hidden when
    there is none (most weeks there is none)."""
    if not scoping.can_anywhere(actor, MANAGE_MEETINGS):
        return None
    n = meeting_selectors.actions_overdue(actor=actor, perm=MANAGE_MEETINGS).count()
    if not n:
        return None
    return WorkItem(label=_("联席会议事项逾期"), count=n, url=reverse("association:meetings"), tone="warning")


@register("association.delegated_overdue", order=721, group=_("协会建设"))
def delegated_overdue(actor: Actor) -> WorkItem | None:
    """Delegated government tasks not yet delivered past their due date, in the actor's branches."""
    if not scoping.can_anywhere(actor, MANAGE_MEETINGS):
        return None
    n = meeting_selectors.delegated_overdue(actor=actor, perm=MANAGE_MEETINGS).count()
    if not n:
        return None
    return WorkItem(
        label=_("承接事项逾期未交付"),
        count=n,
        url=reverse("association:meetings") + "#delegated",
        tone="warning",
    )
