"""Writes of the portal, re-exported so callers write `services.article_publish(...)`."""

from guanhuai.portal.services.articles import (
    ARTICLE_FIELDS,
    SITE_FIELDS,
    article_create,
    article_publish,
    article_return,
    article_submit,
    article_update,
    article_withdraw,
    articles_publish_due,
    column_create,
    column_delete,
    column_update,
    site_create,
    site_update,
)
from guanhuai.portal.services.attachments import article_cover_set, attachment_add, attachment_remove
from guanhuai.portal.services.stats import reads_rollup_submit

__all__ = [
    "ARTICLE_FIELDS",
    "SITE_FIELDS",
    "article_cover_set",
    "attachment_add",
    "attachment_remove",
    "reads_rollup_submit",
    "article_create",
    "article_publish",
    "article_return",
    "article_submit",
    "article_update",
    "article_withdraw",
    "articles_publish_due",
    "column_delete",
    "column_update",
    "column_create",
    "site_create",
    "site_update",
]
