"""The association's landing page: a link to each part of the app the actor may use. Each part adds its
entry to SECTIONS: (title, URL name, the permission that shows it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanhuai.accounts import scoping
from guanhuai.association.permissions import VIEW, VIEW_CARE, VIEW_TRAINING

SECTIONS: list[tuple[str | Promise, str, str]] = []
SECTIONS.append((_("培训与证书"), "association:training", VIEW_TRAINING))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    sections = [
        (title, reverse(name)) for title, name, perm in SECTIONS if scoping.can_anywhere(request.user, perm)
    ]
    return render(request, "association/home.html", {"sections": sections})


# Care for special families, volunteers, the health commission.
SECTIONS += [
    (_("特殊家庭关爱（三个全覆盖）"), "association:care", VIEW_CARE),
    (_("志愿者"), "association:volunteers", VIEW),
    (_("联席会议与承接事项"), "association:meetings", VIEW),
]

# --- part 1: members, campaigns, branches, cadres ---
SECTIONS += [
    (_("本级协会：登记信息、理事会和干部"), "association:units", VIEW),
    (_("会员"), "association:members", VIEW),
    (_("会员再登记"), "association:campaigns", VIEW),
    (_("协会干部与队伍稳定"), "association:cadres", VIEW),
    (_("会员活动日"), "association:members_day", VIEW),
]
