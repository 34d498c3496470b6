"""The association app's items on the home page's work queue (`core/work.py` says how items work)."""


# --- training ---

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.association import selectors
from guanhuai.association.permissions import MANAGE_TRAINING
from guanhuai.core.work import WorkItem, register

TRAINING = _("培训")


@register("association.training_today", order=780, group=TRAINING)
def training_today(actor: Any) -> WorkItem | None:
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
def certificates_due(actor: Any) -> WorkItem | None:
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
