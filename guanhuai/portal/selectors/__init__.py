"""Reads of the portal. `public` is what anonymous pages may read (published only, across branches);
`articles` is the staff side, scoped by the site's branch."""

from guanhuai.portal.selectors.articles import (
    article_get,
    article_list,
    column_get,
    column_list,
    site_get,
    site_list,
)

__all__ = ["article_get", "article_list", "column_get", "column_list", "site_get", "site_list"]
