"""A project's goods page (`/projects/<id>/goods/`): the goods it used out of funds' in-kind holdings, the
form that records another use, and, for each use recorded in error, a reversal behind a confirmation with
its reason. Thin: the services decide (`project_use_goods`, `goods_use_reverse`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.core.money import yuan
from guanhuai.core.web import form_errors, form_page, post_data
from guanhuai.funds import selectors as funds_selectors
from guanhuai.funds.permissions import MANAGE_FUNDS
from guanhuai.projects import selectors, services
from guanhuai.projects.forms import projects as forms
from guanhuai.projects.permissions import SPEND, VIEW
from guanhuai.projects.states import RUNNING, GoodsUseStatus


@login_required
def project_use_goods(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, SPEND, project.org_unit, visible_perm=VIEW)
    funds = funds_selectors.fund_list(actor=request.user, perm="funds.disburse").order_by("name")
    form = forms.GoodsUseForm(post_data(request), funds=funds, initial={"used_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form, items_required="items", date_in_future="used_on", default="amount"):
            services.project_use_goods(actor=request.user, project=project, **form.cleaned_data)
            messages.success(request, _("已登记使用物资。"))
            return redirect("projects:detail", pk)
    uses = list(selectors.goods_use_list(project))
    return render(
        request,
        "projects/goods.html",
        {
            "project": project,
            "form": form if project.status in RUNNING else None,
            "uses": [
                (
                    u,
                    u.status == GoodsUseStatus.RECORDED
                    and scoping.can(request.user, MANAGE_FUNDS, u.fund.org_unit),
                )
                for u in uses
            ],
            "money": selectors.project_money(project),
        },
    )


@login_required
def goods_use_reverse(request: HttpRequest, pk: int, use_id: int) -> HttpResponse:
    project = selectors.project_get(actor=request.user, project_id=pk)
    scoping.require(request.user, SPEND, project.org_unit, visible_perm=VIEW)
    use = selectors.goods_use_get(project, use_id)
    scoping.require(request.user, MANAGE_FUNDS, use.fund.org_unit)
    back = reverse("projects:use_goods", args=[pk])
    if request.method != "POST" and use.status == GoodsUseStatus.REVERSED:
        messages.info(request, _("这笔物资使用已冲销。"))
        return redirect(back)
    form = forms.GoodsReverseForm(post_data(request), initial={"reversed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with form_errors(form, reason_required="reason", date_in_future="reversed_on", default="reversed_on"):
            services.goods_use_reverse(
                actor=request.user,
                use=use,
                reason=d["reason"],
                reversed_on=d["reversed_on"],
                idempotency_key=f"goods-reverse-form:{request.user.pk}:{d['idempotency_key']}",
            )
            messages.success(
                request,
                _("已冲销这笔物资使用，%(value)s 的物资已退回“%(fund)s”。")
                % {"value": yuan(use.amount), "fund": use.fund.name},
            )
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("冲销物资使用"),
        subtitle=f"{use.items} {yuan(use.amount)}",
        help=_(
            "%(day)s 从“%(fund)s”使用的物资将退回该基金的库存：总账记一笔反向分录，原记录保留并标为已冲销。"
            "冲销不能撤销；如物资确已使用，请冲销后重新登记。"
        )
        % {"day": use.used_on.isoformat(), "fund": use.fund.name},
        back=back,
        submit=_("确认冲销"),
        danger=True,
    )
