"""The person page and its actions: edit, bank account, unmask, life events, consent and PIPL requests.
Thin like `views`: every write is one service call, and the service checks scope and permission."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.errors import NotFound, PermissionDenied, ValidationError
from guanhuai.core.links import grouped, links_for
from guanhuai.core.web import form_errors, form_page, message_errors, post_data, refusal
from guanhuai.orgs import selectors as org_selectors
from guanhuai.registry import selectors, services
from guanhuai.registry.forms import people as forms
from guanhuai.registry.models import Person
from guanhuai.registry.permissions import EDIT_PERSONS, MANAGE_PRIVACY, UNMASK, VIEW_PERSONS
from guanhuai.registry.services import UNMASKABLE
from guanhuai.registry.states import RelationToHead
from guanhuai.registry.views.households import person_by_id_number


def _person(request: HttpRequest, pk: int, *, perm: str = VIEW_PERSONS) -> Person:
    return selectors.person_get(actor=request.user, person_id=pk, perm=perm)


def _editable(request: HttpRequest, pk: int) -> Person:
    """A person the actor may edit. Action pages are not offered for others, nor for erased records."""
    person = _person(request, pk, perm=EDIT_PERSONS)
    if person.anonymised_at is not None:
        raise Http404(_("此人的个人信息已删除。"))
    return person


def _back(person: Person) -> str:
    return reverse("registry:person", args=[person.pk])


def _person_page(request: HttpRequest, form: Any, person: Person, *, title: str, **kw: Any) -> HttpResponse:
    """A form page about one person: their name under the title, back to their page."""
    return form_page(request, form, title=title, subtitle=person.name, back=_back(person), **kw)


def _sensitive_rows(person: Person, bank: Any) -> list[dict[str, Any]]:
    return [
        {"field": "id_number", "label": UNMASKABLE["id_number"], "masked": person.id_masked},
        {"field": "phone", "label": UNMASKABLE["phone"], "masked": person.phone_masked},
        {
            "field": "bank_account",
            "label": UNMASKABLE["bank_account"],
            "masked": f"{bank.bank_name} {bank.account_masked}" if bank else "",
        },
    ]


def _detail_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    actor = request.user
    bank = selectors.bank_account_get(actor=actor, person=person)
    erased = person.anonymised_at is not None
    can_edit = scoping.can(actor, EDIT_PERSONS, person.org_unit) and not erased
    events = list(selectors.event_list(actor=actor, person=person))
    related = {e.related_person_id for e in events if e.related_person_id}
    linked = links_for("registry.person", actor, person)
    return {
        "person": person,
        "bank": bank,
        "sensitive": _sensitive_rows(person, bank),
        "tree": selectors.family_tree(actor=actor, person=person),
        "hidden_relatives": selectors.hidden_relatives(actor=actor, person=person),
        "events": events,
        "visible_related": selectors.visible_person_ids(actor=actor, person_ids=related),
        "consents": selectors.consent_list(actor=actor, person=person),
        "can_edit": can_edit,
        "can_unmask": scoping.can(actor, UNMASK, person.org_unit) and not erased,
        "can_privacy": scoping.can(actor, MANAGE_PRIVACY, person.org_unit),
        "event_actions": [
            (kind, action.label)
            for kind, action in EVENT_ACTIONS.items()
            if not (kind == "death" and person.died_on is not None)
        ]
        if can_edit
        else [],
        "withdraw_form": forms.ConsentWithdrawForm(),
        # What the apps above hold about the person (applications, enrolments, payments) and what they
        # offer ("申请扶助"): registered in their own links.py, so the registry names none of them.
        "linked": grouped(linked),
        "offers": [link for link in linked if link.action],
    }


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(request, "registry/person_detail.html", _detail_context(request, person))


@login_required
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one value in full, once, in this response. The service checks registry.unmask and writes
    the audit row with the reason; nothing is stored in the session or the page afterwards."""
    person = _person(request, pk)
    form = forms.UnmaskForm(request.POST)
    field = request.POST.get("field_name", "")
    row: dict[str, Any] = {"field": field, "label": UNMASKABLE.get(field, ""), "masked": ""}
    bank = selectors.bank_account_get(actor=request.user, person=person)
    row.update(next((r for r in _sensitive_rows(person, bank) if r["field"] == field), {}))
    status = 200
    if form.is_valid():
        # A NotFound or PermissionDenied is not about the input: DomainErrorMiddleware answers 404 or 403.
        with refusal(passing=(NotFound, PermissionDenied)) as refused:
            row["value"] = services.person_unmask(
                actor=request.user,
                person=person,
                field_name=form.cleaned_data["field_name"],
                reason=form.cleaned_data["reason"],
            )
            row["revealed"] = True
        if refused.error is not None:
            row["error"], status = refused.message, 422
    else:
        if "field_name" in form.errors:
            raise Http404(_("该字段无需或不能显示完整内容。"))
        row["error"], status = _("查看完整信息必须填写用途。"), 422
    ctx = {"person": person, "row": row, "can_unmask": True}
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers; an error is still a normal partial showing the message.
        return render(request, "registry/_sensitive.html", ctx)
    page = _detail_context(request, person)
    page["sensitive"] = [row if r["field"] == field else r for r in page["sensitive"]]
    return render(request, "registry/person_detail.html", page, status=status)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    form = forms.PersonEditForm(post_data(request), person=person)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.person_update(actor=request.user, person=person, **form.changes())
            messages.success(request, _("已保存。"))
            return redirect("registry:person", person.pk)
    return _person_page(
        request,
        form,
        person,
        title=_("修改人员信息"),
        help=_("身份证号、性别、出生日期和死亡日期请用“更正”登记，并写明原因。"),
    )


@login_required
def bank_account(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    current = selectors.bank_account_get(actor=request.user, person=person)
    form = forms.BankAccountForm(
        post_data(request), initial={"bank_name": current.bank_name if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form):
            account = services.bank_account_set(
                actor=request.user,
                person=person,
                bank_name=d["bank_name"],
                account_number=d["account_number"],
            )
            messages.success(
                request,
                _("已保存银行账户：%(bank)s %(acc)s。")
                % {"bank": account.bank_name, "acc": account.account_masked},
            )
            return redirect("registry:person", person.pk)
    return _person_page(
        request,
        form,
        person,
        title=_("设置银行账户"),
        help=_("当前账户：%(acc)s") % {"acc": f"{current.bank_name} {current.account_masked}"}
        if current
        else "",
    )


# --- life events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventAction:
    """One life event's page. `label` is the page's title and button ("登记死亡"); `done` is the whole
    message after it ("已登记王建国死亡。", with `%(name)s`): a sentence of its own, so that the label's
    verb is never repeated ("已登记：登记死亡。")."""

    label: Any
    done: Any
    form: type
    record: Callable[[HttpRequest, Person, dict[str, Any]], Any]
    danger: bool = False
    help: Any = ""


def _migration(request: HttpRequest, person: Person, d: dict[str, Any]) -> Any:
    code = d["residence_code"].strip()
    unit = org_selectors.public_unit(code=code) if code else None
    return services.migration_record(
        actor=request.user, person=person, residence_unit=unit, occurred_on=d["occurred_on"], note=d["note"]
    )


def _move(request: HttpRequest, person: Person, d: dict[str, Any]) -> Any:
    head = person_by_id_number(request, d["head_id_number"])
    if head.household is None or head.relation_to_head != RelationToHead.HEAD:
        raise ValidationError(
            _("%(name)s 不是户主，请填写目标户户主的身份证号。") % {"name": head.name}, code="not_a_head"
        )
    return services.move_record(
        actor=request.user,
        person=person,
        household=head.household,
        relation_to_head=d["relation_to_head"],
        occurred_on=d["occurred_on"],
    )


def _adoption(request: HttpRequest, person: Person, d: dict[str, Any]) -> Any:
    child = person_by_id_number(request, d["child_id_number"])
    parents = [person]
    if d["other_parent_id_number"]:
        parents.append(person_by_id_number(request, d["other_parent_id_number"]))
    return services.adoption_record(
        actor=request.user, parents=parents, child=child, occurred_on=d["occurred_on"]
    )


EVENT_ACTIONS: dict[str, EventAction] = {
    "death": EventAction(
        gettext_lazy("登记死亡"),
        gettext_lazy("已登记%(name)s死亡。"),
        forms.DeathForm,
        lambda r, p, d: services.death_record(
            actor=r.user, person=p, occurred_on=d["occurred_on"], note=d["note"]
        ),
        danger=True,
    ),
    "disability": EventAction(
        gettext_lazy("残疾评定"),
        gettext_lazy("已登记%(name)s的残疾评定。"),
        forms.DisabilityForm,
        lambda r, p, d: services.disability_record(
            actor=r.user, person=p, grade=d["grade"], occurred_on=d["occurred_on"]
        ),
        help=gettext_lazy("独生子女残疾等级为1至3级的，其父母认定为伤残家庭。"),
    ),
    "marriage": EventAction(
        gettext_lazy("登记结婚"),
        gettext_lazy("已登记%(name)s结婚。"),
        forms.MarriageForm,
        lambda r, p, d: services.marriage_record(
            actor=r.user,
            person=p,
            spouse=person_by_id_number(r, d["spouse_id_number"]),
            occurred_on=d["occurred_on"],
        ),
    ),
    "divorce": EventAction(
        gettext_lazy("登记离婚"),
        gettext_lazy("已登记%(name)s离婚。"),
        forms.DivorceForm,
        lambda r, p, d: services.divorce_record(actor=r.user, person=p, occurred_on=d["occurred_on"]),
    ),
    "migration": EventAction(
        gettext_lazy("流动登记"), gettext_lazy("已登记%(name)s的流动情况。"), forms.MigrationForm, _migration
    ),
    "move": EventAction(
        gettext_lazy("迁往他户"), gettext_lazy("%(name)s已迁往新户。"), forms.MoveForm, _move
    ),
    "adoption": EventAction(
        gettext_lazy("登记收养"),
        gettext_lazy("已登记%(name)s收养子女。"),
        forms.AdoptionForm,
        _adoption,
        help=gettext_lazy("本人为收养人。被收养人须已登记在您的管辖范围内。"),
    ),
    "correction": EventAction(
        gettext_lazy("更正"),
        gettext_lazy("已更正%(name)s的信息，原值保留在事件记录中。"),
        forms.CorrectionForm,
        lambda r, p, d: services.correction_record(
            actor=r.user, person=p, field_name=d["field_name"], value=d["value"], reason=d["reason"]
        ),
        help=gettext_lazy("更正会作为一条新事件记录，原值保留在事件中，不会被悄悄覆盖。"),
    ),
}


@login_required
def person_event(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    action = EVENT_ACTIONS.get(kind)
    if action is None:
        raise Http404(_("未找到该页面，或您无权访问。"))
    person = _editable(request, pk)
    form = action.form(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            action.record(request, person, form.cleaned_data)
            messages.success(request, str(action.done) % {"name": person.name})
            return redirect("registry:person", person.pk)
    return _person_page(
        request,
        form,
        person,
        title=str(action.label),
        help=action.help,
        danger=action.danger,
        submit=_("登记"),
    )


# --- consent and PIPL requests ------------------------------------------------------------------------


@login_required
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _editable(request, pk)
    form = forms.ConsentForm(post_data(request), initial={"given_by": person.name})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.consent_record(actor=request.user, person=person, **form.cleaned_data)
            messages.success(request, _("已记录同意。"))
            return redirect("registry:person", person.pk)
    return _person_page(request, form, person, title=_("记录同意"))


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    person = _editable(request, pk)
    consent = selectors.consent_get(actor=request.user, consent_id=consent_pk)
    if consent.person_id != person.pk:
        raise Http404(_("未找到该记录，或您无权访问。"))
    form = forms.ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回日期。"))
        return redirect("registry:person", person.pk)
    with message_errors(request):
        services.consent_withdraw(
            actor=request.user, consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"]
        )
        messages.success(request, _("已撤回该同意。"))
    return redirect("registry:person", person.pk)


@login_required
@require_POST
def access_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about the person, as a JSON file for an access request (PIPL art. 45)."""
    person = _person(request, pk)
    data = services.person_access_export(actor=request.user, person=person)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    if not scoping.can(request.user, MANAGE_PRIVACY, person.org_unit):
        raise Http404(_("未找到该页面，或您无权访问。"))
    form = forms.AnonymiseForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.person_anonymise(actor=request.user, person=person, reason=form.cleaned_data["reason"])
            messages.success(request, _("已删除此人的个人信息。"))
            return redirect("registry:person", person.pk)
    return _person_page(
        request,
        form,
        person,
        title=_("删除个人信息"),
        danger=True,
        submit=_("确认删除"),
        help=_(
            "依《个人信息保护法》第四十七条删除：姓名、身份证号、电话、银行账号和户籍地将被清除，"
            "出生年份、性别、生存状态和亲属关系保留用于统计。此操作不可撤销，并记入审计日志。"
        ),
    )
