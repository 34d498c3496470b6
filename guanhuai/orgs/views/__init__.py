"""Pages of the branch tree. Thin: reads through selectors, writes through services, domain errors shown
as form errors in Chinese."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.accounts.registry import permissions
from guanhuai.core.excel import read_upload
from guanhuai.core.web import form_action, form_errors, form_page, post_data, search_options, xlsx_download
from guanhuai.jobs.services import job_submit
from guanhuai.orgs import excel, selectors, services
from guanhuai.orgs.forms import (
    TreeImportForm,
    UnitCloseForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMergeForm,
    UnitMoveForm,
    unit_label,
)
from guanhuai.orgs.jobs import IMPORT_TREE
from guanhuai.orgs.models import Level, OrgUnit
from guanhuai.orgs.permissions import MANAGE_UNITS

SEARCH_LIMIT = 100
CANDIDATE_LIMIT = 50


def _managed_unit(request: HttpRequest, pk: int) -> OrgUnit:
    """A unit the actor may see; 404 otherwise. Whether they may manage it is the service's call, but the
    form pages are not even offered to those who cannot."""
    unit = selectors.unit_get(actor=request.user, unit_id=pk)
    if not scoping.can(request.user, MANAGE_UNITS, unit):
        raise Http404(_("未找到该组织，或您无权访问。"))
    return unit


def _show_closed(request: HttpRequest) -> bool:
    return request.GET.get("closed") == "1"


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    show_closed = _show_closed(request)
    results = None
    if q:
        results = list(
            selectors.unit_list(actor=request.user, q=q, include_closed=show_closed)
            .select_related("parent")
            .order_by("path")[: SEARCH_LIMIT + 1]
        )
    top = selectors.top_units(actor=request.user)
    if not show_closed:
        top = top.open()
    return render(
        request,
        "orgs/tree.html",
        {
            "q": q,
            "show_closed": show_closed,
            "results": results[:SEARCH_LIMIT] if results is not None else None,
            "more_results": results is not None and len(results) > SEARCH_LIMIT,
            "search_limit": SEARCH_LIMIT,
            "top_units": list(top.order_by("path")),
            "can_import": scoping.can_anywhere(request.user, MANAGE_UNITS),
        },
    )


def _level_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
    return [{"level": level, "label": Level(level).label, "n": n} for level, n in counts.items()]


def _children_context(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    show_closed = _show_closed(request)
    children = selectors.children_with_counts(actor=request.user, unit=unit, include_closed=show_closed)
    # A child's own level is the table's level column; its descendants start one level further down.
    below = Level.values[unit.level_rank + 2 :]
    for child in children:
        child.count_cells = [child.descendant_counts.get(level, 0) for level in below]  # type: ignore[attr-defined]
        # A node with branches below it shows that it opens further (the tree's chevron).
        child.has_below = any(child.descendant_counts.values())  # type: ignore[attr-defined]
    return {
        "unit": unit,
        "children": children,
        "count_levels": [Level(level).label for level in below],
        "show_closed": show_closed,
    }


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(actor=request.user, unit_id=pk)
    ctx = _children_context(request, unit)
    ctx.update(
        {
            "breadcrumbs": selectors.breadcrumbs(actor=request.user, unit=unit),
            "level_rows": _level_rows(
                selectors.level_counts(actor=request.user, unit=unit, include_closed=ctx["show_closed"])
            ),
            "history": selectors.unit_history(actor=request.user, unit=unit),
            "can_manage": scoping.can(request.user, MANAGE_UNITS, unit),
            "can_add_child": unit.is_open and unit.level != Level.VILLAGE,
        }
    )
    return render(request, "orgs/unit.html", ctx)


@login_required
@require_GET
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children table alone: a page of its own, and the htmx target of the "显示已撤销" toggle."""
    unit = selectors.unit_get(actor=request.user, unit_id=pk)
    ctx = _children_context(request, unit)
    if getattr(request, "htmx", False):
        return render(request, "orgs/_children_table.html", ctx)
    ctx["breadcrumbs"] = selectors.breadcrumbs(actor=request.user, unit=unit)
    return render(request, "orgs/children.html", ctx)


def _about(unit: OrgUnit) -> dict[str, Any]:
    """The frame of a form page about `unit`: its breadcrumbs, its name, and the way back to its page."""
    return {
        "template": "orgs/unit_form.html",
        "unit": unit,
        "subtitle": unit.name,
        "back": reverse("orgs:unit", args=[unit.pk]),
    }


def _form_page(request: HttpRequest, unit: OrgUnit, form: Any, **extra: Any) -> HttpResponse:
    return form_page(request, form, **{**_about(unit), **extra})


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _managed_unit(request, pk)
    form = UnitCreateForm(post_data(request), parent=parent)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            child = services.unit_create(
                actor=request.user,
                parent=parent,
                code=d["code"],
                name=d["name"],
                level=d["level"],
                kind=d["kind"],
                opened_on=d["opened_on"],
            )
            messages.success(request, _("已新建“%(name)s”。") % {"name": child.name})
            return redirect("orgs:unit", child.pk)
    return _form_page(request, parent, form, title=_("新建下级组织"), submit=_("新建"))


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = UnitEditForm.for_unit(unit, post_data(request))
    return form_action(
        request,
        form,
        # the form's fields are the service's arguments, one for one
        lambda d: services.unit_update(actor=request.user, unit=unit, **d),
        success=_("已保存。"),
        title=_("修改组织"),
        **_about(unit),
    )


@login_required
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    q = request.GET.get("q", "").strip()
    candidates = selectors.move_candidates(actor=request.user, unit=unit, q=q)
    form = UnitMoveForm(
        post_data(request), candidates=selectors.move_candidates(actor=request.user, unit=unit)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            new_parent = d["new_parent"] or selectors.unit_get_by_code(
                actor=request.user, code=d["new_parent_code"], perm=MANAGE_UNITS
            )
            services.unit_move(
                actor=request.user,
                unit=unit,
                new_parent=new_parent,
                effective_on=d["effective_on"],
                note=d["note"],
            )
            messages.success(
                request,
                _("已把“%(name)s”调整到“%(parent)s”之下。") % {"name": unit.name, "parent": new_parent.name},
            )
            return redirect("orgs:unit", unit.pk)
    shown = list(candidates.select_related("parent")[: CANDIDATE_LIMIT + 1])
    extra: dict[str, Any] = {
        "q": q,
        "candidates": shown[:CANDIDATE_LIMIT],
        "more_candidates": len(shown) > CANDIDATE_LIMIT,
        "candidate_limit": CANDIDATE_LIMIT,
        "selected": request.POST.get("new_parent", ""),
    }
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, "orgs/_move_candidates.html", {"unit": unit, "form": form, **extra})
    return _form_page(
        request, unit, form, title=_("调整隶属关系"), submit=_("调整"), template="orgs/move.html", **extra
    )


@login_required
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = UnitMergeForm(
        post_data(request), candidates=selectors.merge_candidates(actor=request.user, unit=unit)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            services.unit_merge(
                actor=request.user, unit=unit, into=d["into"], effective_on=d["effective_on"], note=d["note"]
            )
            messages.success(
                request, _("已把“%(name)s”合并到“%(into)s”。") % {"name": unit.name, "into": d["into"].name}
            )
            return redirect("orgs:unit", d["into"].pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("合并到同级组织"),
        submit=_("合并"),
        danger=True,
        help=_("本组织的下级将全部调整到目标组织之下，本组织随即撤销。历史记录会保留。"),
    )


@login_required
def unit_close(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _managed_unit(request, pk)
    form = UnitCloseForm(post_data(request))
    return form_action(
        request,
        form,
        # the form's fields are the service's arguments, one for one
        lambda d: services.unit_close(actor=request.user, unit=unit, **d),
        success=_("已撤销“%(name)s”。") % {"name": unit.name},
        title=_("撤销组织"),
        submit=_("撤销"),
        danger=True,
        help=_("只有没有未撤销下级的组织才能撤销。撤销后仍可在“显示已撤销”中查看。"),
        **_about(unit),
    )


@login_required
def tree_import(request: HttpRequest) -> HttpResponse:
    targets = selectors.import_targets(actor=request.user)
    scoping.require_anywhere(request.user, MANAGE_UNITS)
    form = TreeImportForm(
        post_data(request), request.FILES if request.method == "POST" else None, targets=targets
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        with form_errors(form, default="file"):
            content = read_upload(upload, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
            excel.check_upload(content, max_bytes=settings.GUANHUAI_MAX_UPLOAD_BYTES)
            job, _created = job_submit(
                actor=request.user,
                kind=IMPORT_TREE,
                idempotency_key=f"{IMPORT_TREE}:{request.user.pk}:{d['idempotency_key']}",
                org_unit=d["org_unit"],
                input_name=excel.safe_name(upload.name),
                input_content=content,
            )
            return redirect("jobs:detail", job.pk)
    return render(
        request,
        "orgs/import.html",
        {"form": form, "max_mb": settings.GUANHUAI_MAX_UPLOAD_BYTES / 1024 / 1024},
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_download(excel.template_workbook(), excel.TEMPLATE_NAME, fallback="orgs.xlsx")


@login_required
@require_GET
def unit_pick(request: HttpRequest) -> HttpResponse:
    """A branch field's search (orgs.forms.UnitChoiceField): the branches matching `q` among those the
    actor may choose for `perm` at `level`, as options. An unknown permission is a 404, like any URL."""
    perm = request.GET.get("perm", "")
    if perm not in permissions():
        raise Http404(_("未找到该页面，或您无权访问。"))
    levels = [lv for lv in request.GET.getlist("level") if lv in Level.values]
    units = selectors.branch_choices(actor=request.user, perm=perm, levels=levels, q=request.GET.get("q", ""))
    return search_options(request, units, unit_label)
