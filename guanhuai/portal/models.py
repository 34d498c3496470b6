"""The portal's sites, column trees and articles (the CMS side of 阳光计生). docs/portal.md says why each
choice was made.

- A `Site` belongs to one branch (`unit`): the province site and the city and county sub-sites. Staff
  reads are scoped by that branch (`ScopedManager`, `accounts.scoping` with `unit_field="site__unit"` for
  columns and articles); the public reads published articles through `selectors.public`, which says why
  it may cross branches.
- An `Article` stores what the editor wrote (`body_source`, Markdown or limited HTML) and the sanitised
  HTML the public sees (`body`, written only by `services.articles` through `portal.sanitise`). Stored text
  keeps the form it was written in (Simplified or Traditional); `search_text` is its plain text in
  Simplified, so a search finds it whichever form the query and the article are in.
- `code` is the article's public name in URLs: public pages never show an internal id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanhuai.core.scopes import ScopedManager
from guanhuai.portal.states import ArticleStatus, BodyFormat, TraditionalVariant


class Site(models.Model):
    """A public site of one branch (阳光计生 of 广东省计划生育协会)."""

    unit = models.OneToOneField(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属协会")
    )
    name = models.CharField(_("网站名称"), max_length=60)
    slug = models.SlugField(
        _("网址名"), max_length=40, unique=True, help_text=_("小写字母、数字和连字符，出现在公开网址中")
    )
    address = models.CharField(_("地址"), max_length=120, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postcode = models.CharField(_("邮编"), max_length=10, blank=True)
    record_no = models.CharField(_("备案号"), max_length=40, blank=True)
    traditional = models.CharField(
        _("繁体转换方式"), max_length=8, choices=TraditionalVariant.choices, default=TraditionalVariant.S2T
    )
    is_active = models.BooleanField(_("对外开放"), default=True)
    # Set when the branch merged into one that had its own site: this site is closed and its public
    # addresses answer 301 to that site (services.sites.site_follow_merge).
    moved_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("已并入网站"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("门户网站")
        verbose_name_plural = _("门户网站")
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return self.name


class Column(models.Model):
    """A column (栏目) in a site's tree: 政务公开 › 文件资料. Its public address is the slugs of its
    ancestors and its own, joined by "/"."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="columns", verbose_name=_("网站"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级栏目"),
    )
    name = models.CharField(_("栏目名称"), max_length=40)
    slug = models.SlugField(_("网址名"), max_length=40)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.CharField(_("栏目说明"), max_length=200, blank=True)
    path = models.CharField(max_length=200, editable=False, default="")  # "zwgk/wjzl", kept by services
    is_active = models.BooleanField(_("显示"), default=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")
        ordering = ["site_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "parent", "slug"], name="portal_column_unique_slug"),
            models.UniqueConstraint(
                fields=["site", "slug"],
                condition=Q(parent__isnull=True),
                name="portal_column_unique_top_slug",
            ),
            models.UniqueConstraint(fields=["site", "path"], name="portal_column_unique_path"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="articles", verbose_name=_("网站"))
    column = models.ForeignKey(
        Column, on_delete=models.PROTECT, related_name="articles", verbose_name=_("栏目")
    )
    code = models.CharField(_("文章编号"), max_length=24, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    body_format = models.CharField(
        _("正文格式"), max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    body_source = models.TextField(_("正文"), blank=True)
    body = models.TextField(editable=False, default="")  # sanitised HTML: portal.sanitise, via services
    search_text = models.TextField(editable=False, default="")  # plain text in Simplified, for search
    cover = models.FileField(_("封面图片"), upload_to="portal/covers/%Y/%m/", blank=True)
    cover_alt = models.CharField(_("封面图片说明"), max_length=120, blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("多个标签用逗号分隔"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expire_at = models.DateTimeField(_("下线时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    return_note = models.CharField(_("退回意见"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("编辑"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    legacy_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()  # the scope guard: core/scopes.py, docs/scoping.md

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["column", "status", "publish_at"], name="portal_article_column_pub"),
            # A column page: newest first within the column, the public test read from the index alone.
            models.Index(
                fields=["column", "publish_at", "status", "expire_at"], name="portal_article_column_time"
            ),
            models.Index(fields=["site", "status", "publish_at"], name="portal_article_site_pub"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="portal_article_unique_code"),
            models.CheckConstraint(
                condition=Q(expire_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(expire_at__gt=models.F("publish_at")),
                name="portal_article_expires_after_publish",
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.WITHDRAWN) | ~Q(withdrawn_reason=""),
                name="portal_article_withdrawn_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]


class Attachment(models.Model):
    """A file attached to an article (PDF or image), checked on upload as other uploads are
    (`portal.services.attachments`). An image needs its alt text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    code = models.CharField(max_length=24, editable=False)
    file = models.FileField(upload_to="portal/files/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    alt = models.CharField(_("图片说明"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "code"], name="portal_attachment_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReadEvent(models.Model):
    """One read of an article (or, with no article, one visit to the site), at most once per visitor per
    day: the unique constraints turn a reload storm into one row. Append-only; `reads.rollup` counts past
    days into `ReadDaily`. `visitor` is our own random cookie or a keyed hash, never an address; the
    address is kept masked (`203.0.113.*`), for the network log the law asks for."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, related_name="+")
    visitor = models.CharField(max_length=32)
    day = models.DateField()
    at = models.DateTimeField()
    ip_masked = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "visitor", "day"],
                condition=Q(article__isnull=False),
                name="portal_read_once_per_day",
            ),
            models.UniqueConstraint(
                fields=["site", "visitor", "day"],
                condition=Q(article__isnull=True),
                name="portal_visit_once_per_day",
            ),
        ]
        indexes = [models.Index(fields=["day", "site"], name="portal_read_day_site")]

    def __str__(self) -> str:
        return f"{self.day} {self.article_id or '-'}"


class ReadDaily(models.Model):
    """Reads of an article (or visits to a site, with no article) on one day, rolled up from `ReadEvent`
    by the `portal.rollup_reads` job. `column` is the article's column at the time, for the statistics
    page's per-column figures."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, related_name="+")
    column = models.ForeignKey(Column, on_delete=models.SET_NULL, null=True, related_name="+")
    day = models.DateField()
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], condition=Q(article__isnull=False), name="portal_daily_article_day"
            ),
            models.UniqueConstraint(
                fields=["site", "day"], condition=Q(article__isnull=True), name="portal_daily_site_day"
            ),
        ]
        indexes = [models.Index(fields=["site", "day"], name="portal_daily_site_day_ix")]

    def __str__(self) -> str:
        return f"{self.day} {self.article_id or '-'}: {self.reads}"
