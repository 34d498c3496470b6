"""Registry staff pages: lists, households, the inline ID check and transfers. The person page and its
actions live in `persons`. Thin: reads through selectors, writes through services, domain errors
shown as form errors in Chinese, and a person or household outside scope is a 404 like a missing one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core import crypto
from guanhuai.core.errors import ValidationError
from guanhuai.core.web import form_errors, form_page, message_errors, page_of, post_data, refusal
from guanhuai.orgs import selectors as org_selectors
from guanhuai.registry import exports, selectors, services
from guanhuai.registry.forms import people as forms
from guanhuai.registry.models import Household, Person
from guanhuai.registry.permissions import EDIT_PERSONS, EXPORT_PERSONS, IMPORT_PERSONS, VIEW_PERSONS
from guanhuai.registry.services import DuplicatePerson, PersonInput

PAGE_SIZE = 50


# --- helpers shared with views.persons -----------------------------------------------------------------


TRANSFER_PREFILL = "registry.transfer_prefill"  # the ID number check-id offered a transfer for, encrypted


def get_household(request: HttpRequest, pk: int, *, perm: str = VIEW_PERSONS) -> Household:
    return selectors.household_get(actor=request.user, household_id=pk, perm=perm)


def person_by_id_number(request: HttpRequest, number: str) -> Person:
    """A person the actor may see, named by their ID in a form field. Absent and out of scope read the
    same, so the message gives nothing away."""
    person = selectors.person_by_id_number(actor=request.user, id_number=number)
    if person is None:
        raise ValidationError(
            _("在您的管辖范围内没有找到身份证号为 %(id)s 的人员。") % {"id": number}, code="person_not_found"
        )
    return person


def _unit_filter(request: HttpRequest, form: Any) -> tuple[Any, bool]:
    """The branch the list is narrowed to, named by its division code; (unit, ok)."""
    code = form.cleaned_data.get("unit", "").strip()
    if not code:
        return None, True
    with form_errors(form, default="unit"):
        return org_selectors.unit_get_by_code(actor=request.user, code=code, perm=VIEW_PERSONS), True
    return None, False


def _page(request: HttpRequest, qs: Any) -> Any:
    return page_of(request, qs, size=PAGE_SIZE)


# --- lists --------------------------------------------------------------------------------------------


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """The search form is POSTed and answered with a redirect to the list's URL, in which a full ID number
    is replaced by its blind-index token: the number never reaches server logs or browser history."""
    scoping.require_anywhere(request.user, VIEW_PERSONS)
    if request.method == "POST":
        params = {k: str(v) for k, v in request.POST.items() if k in exports.FILTER_KEYS and v}
        if params.get("q"):
            params["q"] = selectors.id_search_token(params["q"])
        return redirect(f"{reverse('registry:persons')}?{urlencode(params)}")
    form = forms.PersonFilterForm(request.GET)
    page = None
    if form.is_valid():
        unit, ok = _unit_filter(request, form)
        if ok:
            page = _page(request, selectors.person_list(actor=request.user, filters=form.to_filters(unit)))
    picker = selectors.unit_picker(actor=request.user)
    return render(
        request,
        "registry/person_list.html",
        {
            "form": form,
            "page": page,
            "unit_choices": picker if len(picker) <= selectors.UNIT_PICKER_LIMIT else None,
            "order": request.GET.get("order") or "name",
            "more_filters": any(
                request.GET.get(k) for k in ("hukou_type", "sex", "age_min", "age_max", "migrant", "alive")
            ),
            "can_export": scoping.can_anywhere(request.user, EXPORT_PERSONS),
            "can_import": scoping.can_anywhere(request.user, IMPORT_PERSONS),
            "can_create": scoping.can_anywhere(request.user, EDIT_PERSONS),
        },
    )


@login_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW_PERSONS)
    form = forms.HouseholdFilterForm(request.GET)
    page = None
    if form.is_valid():
        unit, ok = _unit_filter(request, form)
        if ok:
            qs = selectors.household_list(actor=request.user, unit=unit, q=form.cleaned_data["q"].strip())
            page = _page(request, qs)
    picker = selectors.unit_picker(actor=request.user)
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": page,
            "unit_choices": picker if len(picker) <= selectors.UNIT_PICKER_LIMIT else None,
            "can_create": scoping.can_anywhere(request.user, EDIT_PERSONS),
        },
    )


# --- households ---------------------------------------------------------------------------------------


def _household_page(
    request: HttpRequest, form: Any, household: Household, *, title: str, **kw: Any
) -> HttpResponse:
    """A form page about one household: it stands under the title, back to its page."""
    return form_page(
        request,
        form,
        title=title,
        subtitle=str(household),
        back=reverse("registry:household", args=[household.pk]),
        **kw,
    )


def _member_input(d: dict[str, Any]) -> PersonInput:
    return PersonInput(
        name=d["name"],
        id_number=d["id_number"],
        relation_to_head=d["relation_to_head"],
        phone=d.get("phone", ""),
        hukou_place=d.get("hukou_place", ""),
        only_child_certificate=d.get("only_child_certificate", False),
    )


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, EDIT_PERSONS)
    villages = selectors.village_choices(actor=request.user)
    form = forms.HouseholdForm(post_data(request), villages=villages)
    members = forms.member_formset(post_data(request))
    if request.method == "POST" and form.is_valid() and members.is_valid():
        rows = [f for f in members.forms if f.cleaned_data]
        # Each ID is checked on its own row first, so the clerk sees which member is wrong; the service
        # checks everything again inside its single transaction.
        for row in rows:
            with form_errors(row, default="id_number"):
                services.check_id_number(row.cleaned_data["id_number"], actor=request.user)
        if not any(row.errors for row in rows):
            d = form.cleaned_data
            with form_errors(form):
                household = services.household_create(
                    actor=request.user,
                    org_unit=d["org_unit"],
                    address=d["address"],
                    hukou_type=d["hukou_type"],
                    number=d["number"],
                    members=[_member_input(row.cleaned_data) for row in rows],
                )
                messages.success(request, _("已登记新户，共%(n)d人。") % {"n": len(rows)})
                return redirect("registry:household", household.pk)
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "members": members, "max_members": forms.MAX_MEMBERS},
    )


@login_required
@require_GET
def member_row(request: HttpRequest) -> HttpResponse:
    """One more member row for the household form (htmx), and the formset's new total out of band."""
    scoping.require_anywhere(request.user, EDIT_PERSONS)
    try:
        index = int(request.GET.get(f"{forms.MEMBERS_PREFIX}-TOTAL_FORMS", "1"))
    except ValueError:
        index = 1
    if not 0 < index < forms.MAX_MEMBERS:
        return HttpResponse(status=204)
    row = forms.MemberForm(prefix=f"{forms.MEMBERS_PREFIX}-{index}", use_required_attribute=False)
    return render(
        request,
        "registry/_member_row.html",
        {"row": row, "index": index, "total": index + 1, "prefix": forms.MEMBERS_PREFIX, "oob": True},
    )


@login_required
@require_POST
def check_id(request: HttpRequest) -> HttpResponse:
    """The inline ID check behind every "new person" ID box. Accepts `id_number` or a prefixed form field
    name ending in it (members-2-id_number), so the box can send its own value as it is. POST only, so the
    full number never appears in a URL; the transfer link carries no number either (it waits, encrypted,
    in the session)."""
    scoping.require_anywhere(request.user, EDIT_PERSONS)
    # htmx posts the whole enclosing form; HX-Trigger-Name says which box is being checked.
    trigger = request.headers.get("HX-Trigger-Name", "")
    boxes = [k for k in request.POST if k == "id_number" or k.endswith("-id_number")]
    key = trigger if trigger in boxes else next(iter(boxes), "")
    raw = (request.POST.get(key) or "").strip() if key else ""
    ctx: dict[str, Any] = {"raw": raw}
    if raw:
        with refusal() as refused:
            ctx["rid"] = services.check_id_number(raw, actor=request.user)
        ctx["error"] = refused.message
        if isinstance(refused.error, DuplicatePerson):
            details = refused.error.details or {}
            if details.get("in_scope"):
                ctx["existing_url"] = reverse("registry:person", args=[details["person_id"]])
            else:
                ctx["transfer_url"] = reverse("registry:transfer_request")
                request.session[TRANSFER_PREFILL] = crypto.encrypt(raw)
    return render(request, "registry/_id_check.html", ctx)


@login_required
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household(request, pk)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": selectors.household_members(actor=request.user, household=household),
            "can_edit": scoping.can(request.user, EDIT_PERSONS, household.org_unit),
        },
    )


@login_required
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household(request, pk, perm=EDIT_PERSONS)
    form = forms.PersonAddForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            person = services.person_add(
                actor=request.user, household=household, data=_member_input(form.cleaned_data)
            )
            messages.success(request, _("已添加“%(name)s”。") % {"name": person.name})
            return redirect("registry:household", household.pk)
    return _household_page(request, form, household, title=_("添加家庭成员"))


@login_required
def household_birth(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household(request, pk, perm=EDIT_PERSONS)
    form = forms.BirthForm(
        post_data(request),
        members=selectors.household_members(actor=request.user, household=household, living=True),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            child = services.birth_record(
                actor=request.user,
                household=household,
                parents=list(d["parents"]),
                data=PersonInput(
                    name=d["name"], id_number=d["id_number"], relation_to_head=d["relation_to_head"]
                ),
                occurred_on=d["occurred_on"],
            )
            messages.success(request, _("已登记“%(name)s”出生。") % {"name": child.name})
            return redirect("registry:household", household.pk)
    return _household_page(request, form, household, title=_("登记出生"))


@login_required
def household_move_in(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household(request, pk, perm=EDIT_PERSONS)
    form = forms.MoveInForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            person = person_by_id_number(request, d["id_number"])
            services.move_record(
                actor=request.user,
                person=person,
                household=household,
                relation_to_head=d["relation_to_head"],
                occurred_on=d["occurred_on"],
            )
            messages.success(request, _("已把“%(name)s”迁入本户。") % {"name": person.name})
            return redirect("registry:household", household.pk)
    return _household_page(
        request,
        form,
        household,
        title=_("迁入本户"),
        help=_("把已在您管辖范围内登记的人员迁入本户。管辖范围以外的人员请先提交迁入申请。"),
        extra_link=(reverse("registry:transfer_request"), _("提交迁入申请")),
    )


# --- transfers ----------------------------------------------------------------------------------------


@login_required
def transfer_request(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, EDIT_PERSONS)
    sealed = request.session.pop(TRANSFER_PREFILL, "") if request.method == "GET" else ""
    initial = {"id_number": crypto.decrypt(sealed) if sealed else ""}
    form = forms.TransferRequestForm(
        post_data(request), villages=selectors.village_choices(actor=request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            services.transfer_request(
                actor=request.user, id_number=d["id_number"], to_unit=d["to_unit"], reason=d["reason"]
            )
            messages.success(request, _("迁入申请已提交。户籍所在地处理后，结果会显示在“迁入申请”页面。"))
            return redirect("registry:transfers")
    return form_page(
        request,
        form,
        title=_("申请迁入"),
        back=reverse("registry:transfers"),
        submit=_("提交申请"),
        help=_("此人已在您管辖范围以外登记。提交申请后，由其户籍所在地审核同意后迁入。"),
    )


@login_required
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, EDIT_PERSONS)
    return render(
        request,
        "registry/transfers.html",
        {
            "inbox": list(selectors.transfer_inbox(actor=request.user)[:200]),
            "outbox": list(selectors.transfer_outbox(actor=request.user)[:200]),
            "decide_form": forms.TransferDecideForm(),
        },
    )


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.transfer_get(actor=request.user, request_id=pk)
    form = forms.TransferDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或拒绝。"))
        return redirect("registry:transfers")
    d = form.cleaned_data
    with message_errors(request):
        services.transfer_decide(
            actor=request.user, request=req, approve=d["decision"] == "approve", note=d["note"]
        )
        messages.success(request, _("已处理该迁入申请。"))
    return redirect("registry:transfers")
