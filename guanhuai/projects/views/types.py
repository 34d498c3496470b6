"""Project types: the list (anyone who sees projects), and a province's own types, added and edited without
code by whoever holds projects.manage_types at a province."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanhuai.accounts import scoping
from guanhuai.core.web import form_errors, form_page, post_data
from guanhuai.projects import selectors, services
from guanhuai.projects.forms import projects as forms
from guanhuai.projects.permissions import VIEW


@login_required
@require_GET
def type_list(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, VIEW)
    return render(
        request,
        "projects/types.html",
        {"types": selectors.type_list(), "can_manage": services.can_manage_types(request.user)},
    )


@login_required
def type_create(request: HttpRequest) -> HttpResponse:
    services.require_type_manager(request.user)
    form = forms.TypeForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        with form_errors(
            form, name_required="name", name_taken="name", code_taken="code", default="activity_kinds"
        ):
            row = services.project_type_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                description=form.cleaned_data["description"],
                config=form.config(),
            )
            messages.success(request, _("已新建项目类型“%(name)s”。") % {"name": row.name})
            return redirect("projects:types")
    return form_page(request, form, title=_("新建项目类型"), back=reverse("projects:types"))


@login_required
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_type_manager(request.user)
    row = selectors.type_get(type_id=pk)
    form = forms.TypeForm(
        post_data(request),
        editing=True,
        initial={"description": row.description, **forms.config_initial(row)},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form, default="activity_kinds"):
            services.project_type_update(
                actor=request.user,
                project_type=row,
                config=form.config(),
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("已保存项目类型“%(name)s”。") % {"name": row.name})
            return redirect("projects:types")
    return form_page(
        request, form, title=_("修改项目类型：%(name)s") % {"name": row.name}, back=reverse("projects:types")
    )
