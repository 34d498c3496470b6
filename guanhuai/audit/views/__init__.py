"""The audit log, for holders of audit.view_log: a filtered list and one object's history. Entries come
through audit.selectors, which scope them to the viewer's branches; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.audit import selectors
from guanhuai.audit.display import readable
from guanhuai.audit.forms import EntryFilterForm
from guanhuai.core.web import page_of

PAGE_SIZE = 50


def _require_viewer(request: HttpRequest) -> None:
    if not selectors.can_view_log(actor=request.user):
        raise Http404(_("未找到该页面。"))


def _page(request: HttpRequest, qs: Any) -> Page:
    page = page_of(request, qs, size=PAGE_SIZE)
    page.object_list = readable(list(page.object_list))
    return page


@login_required
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = EntryFilterForm(request.GET)
    page = _page(request, selectors.entry_list(actor=request.user, **form.filters()))
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "more_filters": any(
                request.GET.get(f) for f in ("actor", "since", "until", "object_type", "object_id")
            ),
        },
    )


@login_required
@require_GET
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    _require_viewer(request)
    qs = selectors.entry_list(actor=request.user, object_type=object_type, object_id=object_id)
    page = _page(request, qs)
    if not page.object_list:
        # Nothing visible: an object outside the viewer's branches looks like one that never existed.
        raise Http404(_("未找到该对象的审计记录，或您无权访问。"))
    return render(
        request,
        "audit/object_history.html",
        {
            "page": page,
            "object_type": object_type,
            "object_id": object_id,
            "title": page.object_list[0].name,
            "type_label": page.object_list[0].type_label,
        },
    )
