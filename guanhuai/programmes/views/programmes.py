"""Programme-definition pages under /programmes/definitions/: the list, a programme's page (definition,
amount history, rule versions), create (blank or from a national template), edit, the rule editor with
its live preview, amount rules, and "应享未享" (eligible but not enrolled) with its Excel export.

Thin: reads through selectors/programmes.py, writes through services/programmes.py. A programme the actor
cannot see is a 404 like a missing one; one they see but may not change is a 403 and the buttons that
lead there are hidden."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.web import (
    form_action,
    form_errors,
    form_page,
    message_errors,
    page_of,
    post_data,
    refusal,
    xlsx_download,
)
from guanhuai.funds.models import Allocation
from guanhuai.funds.states import AllocationStatus
from guanhuai.orgs import selectors as org_selectors
from guanhuai.programmes import rules
from guanhuai.programmes.catalogue import TEMPLATES
from guanhuai.programmes.forms.programmes import (
    MODE_JSON,
    MODE_ROWS,
    OWNER_LEVELS,
    AmountEndForm,
    AmountRuleForm,
    MissedFilterForm,
    ProgrammeCreateForm,
    ProgrammeEditForm,
    TemplateForm,
    as_of_from,
    row_keys,
    row_values,
    rule_from_post,
    rule_to_rows,
)
from guanhuai.programmes.models import AmountRule, Programme
from guanhuai.programmes.permissions import MANAGE_PROGRAMMES, VIEW
from guanhuai.programmes.selectors import programmes as selectors
from guanhuai.programmes.services import programmes as services
from guanhuai.programmes.states import Step
from guanhuai.registry.permissions import EXPORT_PERSONS

PAGE_SIZE = 50
# Programmes are owned by branches that keep accounts, not by villages.
FIELD_OF_CODE = {
    "bad_code": "code",
    "code_taken": "code",
    "code_required": "code",
    "name_required": "name",
    "legal_basis_required": "legal_basis",
    "allocation_required": "allocation",
    "budget_line_required": "budget_line",
    "bad_steps": "steps",
    "bad_amount": "amount",
    "bad_dates": "valid_to",
    "label_required": "label",
    "amount_used": "valid_from",
    "amount_overlap": "condition",
    "already_ended": "valid_to",
    "unknown_template": "template",
}


def _require_view(request: HttpRequest) -> None:
    scoping.require_anywhere(request.user, VIEW)


def _get(request: HttpRequest, pk: Any) -> Programme:
    return selectors.programme_get(actor=request.user, id=pk)


def _require_manage(request: HttpRequest, programme: Programme) -> None:
    if not selectors.can_manage(request.user, programme):
        raise Forbidden(_("您没有修改该扶助项目的权限。"))


def _owner_units(request: HttpRequest) -> Any:
    return org_selectors.branch_choices(actor=request.user, perm=MANAGE_PROGRAMMES, levels=OWNER_LEVELS)


def _allocations(request: HttpRequest) -> Any:
    visible = scoping.path_q(request.user, "funds.view_funds", path_field="fund__org_unit__path")
    return scoping.mark_scoped(
        Allocation.objects.filter(visible, status=AllocationStatus.ACTIVE)
        .select_related("fund")
        .order_by("fund__name", "name")
    )


def _error_fields(form: Any) -> dict[str, str]:
    """Where a service's error code is shown on `form`: FIELD_OF_CODE, else `bad_<field>` beside <field>."""
    return {**{f"bad_{name}": name for name in form.fields}, **FIELD_OF_CODE}


# --- list and detail --------------------------------------------------------------------------------------


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    q = request.GET.get("q", "")
    page = page_of(request, selectors.programme_list(actor=request.user, q=q), size=PAGE_SIZE)
    return render(
        request,
        "programmes/programme_list.html",
        {"page": page, "q": q, "can_create": scoping.can_anywhere(request.user, MANAGE_PROGRAMMES)},
    )


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get(request, pk)
    spec = TEMPLATES.get(programme.template)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "amounts": selectors.amount_history_view(programme),
            "history": selectors.rule_history(programme),
            "can_manage": selectors.can_manage(request.user, programme),
            "unconfirmed": spec.unconfirmed if spec else [],
            "steps": [Step(s).label if s in Step.values else s for s in programme.steps],
            "today": timezone.localdate(),
        },
    )


# --- create and edit --------------------------------------------------------------------------------------


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_PROGRAMMES)
    form = ProgrammeCreateForm(
        post_data(request), units=_owner_units(request), allocations=_allocations(request)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, _error_fields(form)):
            programme = services.programme_create(
                actor=request.user, org_unit=d["org_unit"], code=d["code"], **_fields(d)
            )
            messages.success(
                request, _("已设立“%(name)s”。请设置资格条件和发放标准。") % {"name": programme.name}
            )
            return redirect("programmes:rule_edit", programme.pk)
    return form_page(
        request,
        form,
        title=_("设立扶助项目"),
        back=reverse("programmes:programme_list"),
        help=_("地方增发或地方项目：先填写项目定义，保存后设置资格条件和发放标准。"),
    )


def _fields(d: dict[str, Any]) -> dict[str, Any]:
    """The programme fields of a form's cleaned data (code and active are passed by name)."""
    return {k: d[k] for k in services.UPDATE_FIELDS if k in d and k != "active"}


@login_required
def programme_from_template(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_PROGRAMMES)
    form = TemplateForm(post_data(request), units=_owner_units(request), allocations=_allocations(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, _error_fields(form)):
            programme = services.programme_from_template(
                actor=request.user,
                template=d["template"],
                org_unit=d["org_unit"],
                code=d["code"] or None,
                allocation=d["allocation"],
            )
            messages.success(request, _("已按模板设立“%(name)s”。") % {"name": programme.name})
            return redirect("programmes:programme_detail", programme.pk)
    return form_page(
        request,
        form,
        title=_("按国家模板设立项目"),
        back=reverse("programmes:programme_list"),
        template="programmes/programme_form.html",
        templates=TEMPLATES.values(),
        submit=_("设立"),
    )


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get(request, pk)
    _require_manage(request, programme)
    initial = {k: getattr(programme, k) for k in services.UPDATE_FIELDS}
    form = ProgrammeEditForm(post_data(request), initial=initial, allocations=_allocations(request))
    return form_action(
        request,
        form,
        lambda d: services.programme_update(
            actor=request.user, programme=programme, active=d["active"], **_fields(d)
        ),
        errors=_error_fields(form),
        success=_("已保存。"),
        title=_("修改扶助项目"),
        subtitle=programme.name,
        back=reverse("programmes:programme_detail", args=[programme.pk]),
    )


# --- the rule editor --------------------------------------------------------------------------------------


def _row_context(key: str, fact_name: str, op: str = "", values: list[str] | None = None) -> dict[str, Any]:
    f = rules.FACTS.get(fact_name) or rules.FACTS["age"]
    op = op if op in f.ops else f.ops[0]
    values = values or []
    if f.type == "choice" and op in ("in", "not_in"):
        widget = "checkboxes"
    elif f.type in ("choice", "bool"):
        widget = "select"
    else:
        widget = {"int": "number", "date": "date"}.get(f.type, "text")
    choices = [("true", _("是")), ("false", _("否"))] if f.type == "bool" else f.choices
    return {
        "key": key,
        "fact": f,
        "facts": rules.FACTS.values(),
        "op": op,
        "ops": [(o, rules.OP_LABELS[o]) for o in f.ops],
        "widget": widget,
        "choices": choices,
        "values": values,
        "value": ",".join(values),
    }


def _editor_context(
    programme: Programme, rule: dict[str, Any], *, mode: str = "", note: str = ""
) -> dict[str, Any]:
    import json

    flat = rule_to_rows(rule)
    if not mode:
        mode = MODE_ROWS if flat is not None else MODE_JSON
    combinator, rows = flat if flat is not None else ("all", [])
    return {
        "programme": programme,
        "mode": mode,
        "flat": flat is not None,
        "combinator": combinator,
        "rows": [
            _row_context(str(i), r.get("fact", ""), r.get("op", ""), row_values(r.get("value")))
            for i, r in enumerate(rows)
        ]
        or [_row_context("0", "age", ">=")],
        "rule_json": json.dumps(rule, ensure_ascii=False, indent=2),
        "note": note,
        "as_of": timezone.localdate(),
        "facts": rules.facts_catalogue(),
    }


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the editor with the rule in force. POST: save it as the next version (or show why not)."""
    programme = _get(request, pk)
    _require_manage(request, programme)
    if request.method == "POST":
        note = request.POST.get("note", "")
        with refusal() as refused:
            version = services.rule_version_save(
                actor=request.user, programme=programme, rule=rule_from_post(request.POST), note=note
            )
            messages.success(request, _("已保存资格条件第%(v)d版。") % {"v": version.version})
            return redirect("programmes:programme_detail", programme.pk)
        rule: dict[str, Any] = {}
        with refusal():  # what was typed stays in the editor, as far as it parses
            rule = rule_from_post(request.POST)
        mode = request.POST.get("mode") or MODE_ROWS
        context = _editor_context(programme, rule, mode=mode, note=note)
        if mode == MODE_JSON:
            context["rule_json"] = request.POST.get("rule_json", "")
        else:
            # What the user typed stays on the page, even a row that does not parse.
            context["flat"] = True
            context["combinator"] = "any" if request.POST.get("combinator") == "any" else "all"
            context["rows"] = [
                _row_context(
                    key,
                    request.POST.get(f"row-{key}-fact", ""),
                    request.POST.get(f"row-{key}-op", ""),
                    request.POST.getlist(f"row-{key}-value"),
                )
                for key in row_keys(request.POST)
            ] or context["rows"]
        context["error"] = refused.message
        return render(request, "programmes/rule_edit.html", context, status=422)
    current: dict[str, Any] = {"all": []}
    with refusal():  # a programme without a valid rule yet opens an empty editor
        current = rules.current_rule(programme)
    return render(request, "programmes/rule_edit.html", _editor_context(programme, current))


@login_required
@require_POST
def rule_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the live preview of the rule being edited (not saved): count, sample and by-county, within
    the actor's scope and the programme's branch. In row mode the JSON box is refreshed out of band."""
    import json

    programme = _get(request, pk)
    _require_manage(request, programme)
    as_of = as_of_from(request.POST)
    context: dict[str, Any] = {"programme": programme, "as_of": as_of, "mode": request.POST.get("mode")}
    with refusal() as refused:
        rule = rule_from_post(request.POST)
        context["preview"] = selectors.eligibility_preview(
            actor=request.user, rule=rule, as_of=as_of, programme=programme
        )
        context["rule_json"] = json.dumps(rule, ensure_ascii=False, indent=2)
    if refused.error is not None:
        context["error"] = refused.message
    return render(request, "programmes/rule_preview.html", context)


@login_required
@require_GET
def rule_row(request: HttpRequest) -> HttpResponse:
    """htmx: one condition row; with ?fact=, the row for that fact (its operators and value box)."""
    scoping.require_anywhere(request.user, MANAGE_PROGRAMMES)
    key = request.GET.get("k") or secrets.token_hex(4)
    if not key.isalnum():
        key = secrets.token_hex(4)
    context = _row_context(
        key,
        request.GET.get(f"row-{key}-fact", "age"),
        request.GET.get(f"row-{key}-op", ""),
        request.GET.getlist(f"row-{key}-value"),
    )
    return render(request, "programmes/rule_row.html", context)


# --- amount rules -----------------------------------------------------------------------------------------


@login_required
def programme_amount_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get(request, pk)
    _require_manage(request, programme)
    form = AmountRuleForm(post_data(request))
    return form_action(
        request,
        form,
        # the form's fields are the service's arguments, one for one
        lambda d: services.amount_rule_add(actor=request.user, programme=programme, **d),
        errors=_error_fields(form),
        success=_("已新增发放标准。"),
        title=_("新增发放标准"),
        subtitle=programme.name,
        back=reverse("programmes:programme_detail", args=[programme.pk]),
        help=_("发放标准一经使用不再修改：调整标准时，先结束原标准，再新增一条。"),
    )


@login_required
def programme_amount_end(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    programme = _get(request, pk)
    _require_manage(request, programme)
    try:
        row = AmountRule.objects.get(pk=rule_pk, programme=programme)
    except AmountRule.DoesNotExist:
        raise Http404(_("未找到该发放标准。"))
    form = AmountEndForm(post_data(request))
    return form_action(
        request,
        form,
        lambda d: services.amount_rule_end(actor=request.user, amount_rule=row, valid_to=d["valid_to"]),
        errors=_error_fields(form),
        success=_("已结束发放标准“%(label)s”。") % {"label": row.label},
        title=_("结束发放标准"),
        subtitle=f"{row.label} {row.amount}",
        back=reverse("programmes:programme_detail", args=[programme.pk]),
        submit=_("结束"),
    )


# --- 应享未享 -----------------------------------------------------------------------------------------------


def _missed_filters(request: HttpRequest, programme: Programme) -> tuple[MissedFilterForm, Any, dt.date]:
    form = MissedFilterForm(
        request.GET or None, villages=selectors.village_choices(actor=request.user, programme=programme)
    )
    village, as_of = None, timezone.localdate()
    if form.is_bound and form.is_valid():
        village = form.cleaned_data["village"]
        as_of = form.cleaned_data["as_of"] or as_of
    return form, village, as_of


@login_required
@require_GET
def programme_missed(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get(request, pk)
    form, village, as_of = _missed_filters(request, programme)
    page = None
    with refusal() as refused:  # a rule that cannot be evaluated: said on the page, no list
        qs = selectors.eligible_not_enrolled(
            actor=request.user, programme=programme, as_of=as_of, village=village
        )
        page = page_of(request, qs, size=PAGE_SIZE)
    return render(
        request,
        "programmes/programme_missed.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "error": refused.message,
            "as_of": as_of,
            "can_export": scoping.can_anywhere(request.user, EXPORT_PERSONS),
        },
    )


@login_required
@require_POST  # it writes an audit entry: never on a GET (a link, a prefetch, another site's image)
def programme_missed_export(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get(request, pk)
    form, village, as_of = _missed_filters(request, programme)
    with message_errors(request):
        content, _rows = services.missed_export(
            actor=request.user, programme=programme, as_of=as_of, village=village
        )
        name = f"应享未享-{programme.code}-{village.code if village else 'all'}-{as_of:%Y%m%d}.xlsx"
        return xlsx_download(content, name)
    return redirect(
        reverse("programmes:programme_missed", args=[programme.pk]) + "?" + request.GET.urlencode()
    )
