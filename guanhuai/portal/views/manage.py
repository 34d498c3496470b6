"""The editors' and approvers' pages: articles of the sites in their scope, drafting and editing, the
workflow buttons (submit, return, publish or schedule, withdraw), attachments, and the read statistics.
Thin, on the core/web.py kit; reads through `selectors`, writes through `services`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanhuai.accounts import scoping
from guanhuai.core.forms import BootstrapForm
from guanhuai.core.web import form_errors, form_page, message_errors, page_of, post_data
from guanhuai.portal import forms, selectors, services
from guanhuai.portal.models import Article
from guanhuai.portal.permissions import EDIT, MANAGE_SITES, PUBLISH, VIEW_STATS
from guanhuai.portal.public import site_url
from guanhuai.portal.selectors import stats as stats_selectors
from guanhuai.portal.states import ArticleStatus

PAGE_SIZE = 20


def _require_staff(request: HttpRequest) -> None:
    """Editors, approvers and those who read the portal's statistics (auditors) see the article list."""
    if not (scoping.can_anywhere(request.user, PUBLISH) or scoping.can_anywhere(request.user, EDIT)):
        scoping.require_anywhere(request.user, VIEW_STATS)


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    status = request.GET.get("status", "")
    if status not in ArticleStatus.values:
        status = ""
    articles = selectors.article_list(
        actor=request.user, status=status, q=request.GET.get("q", "").strip()[:50]
    )
    return render(
        request,
        "portal/manage/list.html",
        {
            "page": page_of(request, articles, size=PAGE_SIZE),
            "status": status,
            "statuses": ArticleStatus.choices,
            "can_edit": scoping.can_anywhere(request.user, EDIT),
            "can_stats": scoping.can_anywhere(request.user, VIEW_STATS),
        },
    )


def _article_form(request: HttpRequest, form: forms.ArticleForm, article: Article | None) -> HttpResponse:
    """Writing a new article and editing a draft: the same form, the same refusals on the same fields."""
    if request.method == "POST" and form.is_valid():
        with form_errors(form, title="title", body_source="body_source", missing_alt="body_source",
                         heading_order="body_source", expire_at="expire_at", column="column"):  # fmt: skip
            data = dict(form.cleaned_data)
            if article is None:
                article = services.article_create(actor=request.user, **data)
                messages.success(request, _("草稿已保存。"))
            else:
                services.article_update(actor=request.user, article=article, **data)
                messages.success(request, _("已保存。"))
            return redirect("portal:manage_article", article.pk)
    attachments = list(article.attachments.all()) if article is not None else []
    return render(
        request,
        "portal/manage/edit.html",
        {"form": form, "article": article, "attachments": attachments, "can_remove_files": True},
    )


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, EDIT)
    form = forms.ArticleForm(post_data(request), columns=selectors.column_list(actor=request.user))
    return _article_form(request, form, None)


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(actor=request.user, id=pk)
    initial = {name: getattr(article, name) for name in services.ARTICLE_FIELDS} | {"column": article.column}
    form = forms.ArticleForm(
        post_data(request),
        initial=initial,
        columns=selectors.column_list(actor=request.user, site=article.site),
    )
    return _article_form(request, form, article)


@login_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(actor=request.user, id=pk)
    unit = article.site.unit
    can_edit = scoping.can(request.user, EDIT, unit)
    can_publish = scoping.can(request.user, PUBLISH, unit)
    public_link = (
        site_url(article.site, "article", code=article.code)
        if article.status == ArticleStatus.PUBLISHED
        else ""
    )
    return render(
        request,
        "portal/manage/detail.html",
        {
            "article": article,
            "attachments": list(article.attachments.all()),
            "public_link": public_link,
            "can_edit": can_edit and article.status in (ArticleStatus.DRAFT, ArticleStatus.PENDING),
            "can_submit": can_edit and article.status == ArticleStatus.DRAFT,
            "can_publish": can_publish and article.status == ArticleStatus.PENDING,
            "can_withdraw": (can_edit or can_publish)
            and article.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED),
            "publish_form": forms.PublishForm(),
            "withdraw_form": forms.WithdrawForm(),
            "return_form": forms.ReturnForm(),
            "attachment_form": forms.AttachmentForm(),
            "cover_form": forms.CoverForm(),
        },
    )


def _act(
    request: HttpRequest, pk: int, service: Callable[..., object], done: str, **more: str
) -> HttpResponse:
    """A button on the article's page: do it (a refusal becomes the message), say so, back to the page."""
    article = selectors.article_get(actor=request.user, id=pk)
    with message_errors(request):
        service(actor=request.user, article=article, **more)
        messages.success(request, done)
    return redirect("portal:manage_article", pk)


@login_required
@require_POST
def article_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.article_submit, _("已提交审核。"))


@login_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(actor=request.user, id=pk)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("发布时间格式不正确。"))
        return redirect("portal:manage_article", pk)
    with message_errors(request):
        asked = form.cleaned_data["publish_at"]
        past = services.article_publish(actor=request.user, article=article, publish_at=asked)
        if past:
            messages.warning(request, _("所填发布时间已经过去，文章已立即发布。"))
        elif asked:
            messages.success(
                request,
                _("已定时发布：%(t)s 起在网站上公开。") % {"t": f"{article.publish_at:%Y-%m-%d %H:%M}"},
            )
        else:
            messages.success(request, _("已发布。"))
    return redirect("portal:manage_article", pk)


@login_required
@require_POST
def article_return(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _act(request, pk, services.article_return, _("已退回编辑修改。"), note=note)


@login_required
@require_POST
def article_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(request, pk, services.article_withdraw, _("已撤回：文章不再公开，留档备查。"), reason=reason)


def _upload(request: HttpRequest, pk: int, form: BootstrapForm, missing: str, save: Callable[..., object],
            done: str, **fields: str) -> HttpResponse:  # fmt: skip
    """An upload on the article's page (attachment, cover): `fields` maps the service's keywords to the
    form's fields."""
    article = selectors.article_get(actor=request.user, id=pk)
    if not form.is_valid():
        messages.error(request, missing)
        return redirect("portal:manage_article", pk)
    with message_errors(request):
        save(actor=request.user, article=article, **{k: form.cleaned_data[v] for k, v in fields.items()})
        messages.success(request, done)
    return redirect("portal:manage_article", pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.AttachmentForm(request.POST, request.FILES)
    return _upload(request, pk, form, _("请选择要上传的文件。"), services.attachment_add, _("附件已上传。"),
                   upload="file", alt="alt")  # fmt: skip


@login_required
@require_POST
def cover_set(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.CoverForm(request.POST, request.FILES)
    return _upload(request, pk, form, _("请选择封面图片并写明说明。"), services.article_cover_set,
                   _("封面已更新。"), upload="cover", alt="cover_alt")  # fmt: skip


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    """The remove button beside an attachment (a draft's or a pending article's: the service refuses others)."""
    article = selectors.article_get(actor=request.user, id=pk)
    attachment = get_object_or_404(article.attachments, pk=file)
    with message_errors(request):
        services.attachment_remove(actor=request.user, attachment=attachment)
        messages.success(request, _("附件“%(name)s”已删除。") % {"name": attachment.name})
    back = request.POST.get("back", "")
    return redirect("portal:manage_article_edit" if back == "edit" else "portal:manage_article", pk)


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    """Reads per article and per column per day, of the sites in the actor's scope."""
    scoping.require_anywhere(request.user, VIEW_STATS)
    form = forms.StatsForm(request.GET or None)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or 30
    figures = stats_selectors.read_figures(actor=request.user, days=days)
    return render(request, "portal/manage/stats.html", {"form": form, "days": days, **figures})


@login_required
@require_POST
def stats_rollup(request: HttpRequest) -> HttpResponse:
    with message_errors(request):
        job, created = services.reads_rollup_submit(actor=request.user)
        messages.success(request, _("已提交汇总任务。") if created else _("今天的汇总任务已提交过。"))
        return redirect("jobs:detail", job.pk)
    return redirect(reverse("portal:stats"))


# --- sites and their column trees ---------------------------------------------------------------------


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    """The sites in the actor's scope with their column trees; opening a site needs `portal.manage_sites`."""
    if not scoping.can_anywhere(request.user, MANAGE_SITES):
        scoping.require_anywhere(request.user, EDIT)
    sites = list(selectors.site_list(actor=request.user))
    columns = list(selectors.column_list(actor=request.user))
    return render(
        request,
        "portal/manage/sites.html",
        {
            "rows": [(s, [c for c in columns if c.site_id == s.pk]) for s in sites],
            "can_manage": scoping.can_anywhere(request.user, MANAGE_SITES),
        },
    )


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    scoping.require_anywhere(request.user, MANAGE_SITES)
    form = forms.SiteForm(post_data(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, slug="slug", unit="unit"):
            site = services.site_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("已开设网站“%(name)s”。") % {"name": site.name})
            return redirect("portal:manage_site", site.pk)
    return form_page(request, form, title=_("开设门户网站"), back=reverse("portal:manage_sites"))


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A site's column tree, and (for `portal.manage_sites`) a form to add a column."""
    site = selectors.site_get(actor=request.user, id=pk)
    columns = selectors.column_list(actor=request.user, site=site)
    can_manage = scoping.can(request.user, MANAGE_SITES, site.unit)
    form = forms.ColumnForm(post_data(request) if can_manage else None, columns=columns)
    if request.method == "POST" and can_manage and form.is_valid():
        with form_errors(form, slug="slug", parent="parent"):
            column = services.column_create(actor=request.user, site=site, **form.cleaned_data)
            messages.success(request, _("已新建栏目“%(name)s”。") % {"name": column.name})
            return redirect("portal:manage_site", site.pk)
    return render(
        request,
        "portal/manage/site.html",
        {"site": site, "columns": columns, "form": form, "can_manage": can_manage,
         "public_link": site_url(site)},
    )  # fmt: skip


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A site's name and footer contacts, how it reads in Traditional, and whether it is open."""
    site = selectors.site_get(actor=request.user, id=pk, perm=MANAGE_SITES)
    initial = {f: getattr(site, f) for f in services.SITE_FIELDS}
    form = forms.SiteEditForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, {f: f for f in services.SITE_FIELDS}):
            changed = services.site_update(actor=request.user, site=site, **form.cleaned_data)
            if changed:
                messages.success(
                    request,
                    _("网站“%(name)s”已保存，公开页面即时更新。") % {"name": form.cleaned_data["name"]},
                )
            else:
                messages.info(request, _("没有改动。"))
            return redirect("portal:manage_site", site.pk)
    return form_page(
        request, form, title=_("修改网站信息"), back=reverse("portal:manage_site", args=[site.pk])
    )


@login_required
def column_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, move (another parent), re-order or hide a column; and the button that removes an empty one."""
    column = selectors.column_get(actor=request.user, id=pk, perm=MANAGE_SITES)
    others = selectors.column_list(actor=request.user, site=column.site).exclude(
        Q(pk=column.pk) | Q(path__startswith=column.path + "/")
    )
    initial = {
        f: getattr(column, f) for f in ("parent", "name", "slug", "position", "description", "is_active")
    }
    form = forms.ColumnEditForm(post_data(request), initial=initial, columns=others)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, slug="slug", parent="parent"):
            services.column_update(actor=request.user, column=column, **form.cleaned_data)
            messages.success(request, _("栏目“%(name)s”已保存。") % {"name": column.name})
            return redirect("portal:manage_site", column.site_id)
    return render(request, "portal/manage/column.html", {"column": column, "form": form})


@login_required
@require_POST
def column_delete(request: HttpRequest, pk: int) -> HttpResponse:
    column = selectors.column_get(actor=request.user, id=pk, perm=MANAGE_SITES)
    with message_errors(request):
        services.column_delete(actor=request.user, column=column)
        messages.success(request, _("栏目“%(name)s”已删除。") % {"name": column.name})
        return redirect("portal:manage_site", column.site_id)
    return redirect("portal:manage_column", pk)
