"""The governance landing page: the documents and meetings of the actor's villages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanhuai.accounts import scoping
from guanhuai.core.web import page_of
from guanhuai.governance import selectors
from guanhuai.governance.permissions import DRAFT, RUN_MEETINGS, VIEW


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    documents = page_of(request, selectors.document_list(actor=request.user), size=20)
    # The latest meetings only: the meetings' own list pages them all.
    meetings = list(selectors.meeting_list(actor=request.user)[:10])
    return render(
        request,
        "governance/home.html",
        {
            "page": documents,
            "meetings": meetings,
            "can_draft": scoping.can_anywhere(request.user, DRAFT),
            "can_run": scoping.can_anywhere(request.user, RUN_MEETINGS),
        },
    )
