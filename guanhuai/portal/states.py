"""Statuses of the portal's records and their allowed transitions, declared with `core.states.table` (a status
it does not name is final) and checked through `core.states.transition` / `check`. docs/portal.md draws the article workflow.

An editor drafts and submits; an approver at the same branch (never the editor) publishes now or schedules;
a scheduled article goes public when its time comes (the `portal.publish_due` job, or the first public read
after the time); a published article can be withdrawn with a reason and stays in the archive. A pending
article can be sent back to draft with a note."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanhuai.core.states import table


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    SCHEDULED = "scheduled", _("定时发布")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


ARTICLE_TRANSITIONS = table(
    ArticleStatus,
    draft="pending",
    pending="draft scheduled published",
    scheduled="published withdrawn",
    published="withdrawn",
)


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("简单排版（HTML）")


class Script(models.TextChoices):
    """The two forms a public page is read in. Stored text keeps the form it was written in; a page in the
    other form is converted when it is rendered (`portal.public`)."""

    SIMPLIFIED = "hans", _("简体")
    TRADITIONAL = "hant", _("繁体")


class TraditionalVariant(models.TextChoices):
    """OpenCC's Simplified → Traditional configurations a site may choose: plain characters (s2t) for the
    mainland's own readers, Hong Kong or Taiwan forms and phrases for readers there."""

    S2T = "s2t", _("繁体（通用）")
    S2HK = "s2hk", _("繁体（香港）")
    S2TWP = "s2twp", _("繁体（台湾用语）")
