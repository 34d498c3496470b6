"""Importing articles scraped from an old disclosure site into a column (`portal.legacy` reads each page).

Imported articles were public already, on the association's old official site: they are restored into the
archive as published, with their original publication time, not written anew. So the upload page asks for
the right to publish at the site's branch (`portal.publish`), and the command line is system work by whoever
runs the server (its `--as` user, if given, is recorded as the importer). Each article is audited
("portal.article.imported", with its file name and what was stripped).

A file whose article is already in the database (`Article.legacy_key`, a hash of its title, time and body)
is skipped: re-importing is a no-op. A file that is not an article page is refused with the reason; the
other files of the same run still import. A dry run parses and reports, and writes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import partial
from html import escape

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import ValidationError
from guanhuai.core.text import to_simplified
from guanhuai.portal import legacy, public
from guanhuai.portal.models import Article, Column
from guanhuai.portal.permissions import PUBLISH
from guanhuai.portal.sanitise import plain_text, render_body
from guanhuai.portal.states import ArticleStatus, BodyFormat

MAX_READ = legacy.MAX_BYTES + 1  # an upload is read this far: enough to refuse a larger one


class Outcome:
    IMPORTED = "imported"
    WOULD_IMPORT = "would_import"
    EXISTS = "exists"
    REFUSED = "refused"


@dataclass
class LegacyResult:
    name: str
    outcome: str
    article: legacy.LegacyArticle | None = None
    code: str = ""  # the article's public name, once imported (or found)
    reason: str = ""
    stripped: list[legacy.Stripped] = field(default_factory=list)

    @property
    def label(self) -> str:
        return outcome_label(self.outcome)


def _body_html(article: legacy.LegacyArticle) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)


def legacy_import(
    *, actor: Actor | None, column: Column, files: list[tuple[str, bytes]], dry_run: bool = False
) -> list[LegacyResult]:
    """Import each (name, content) into `column`. `actor` None is system work (the command line)."""
    if actor is not None:
        scoping.require(actor, PUBLISH, column.site.unit)
    user = signed_in(actor)
    results = []
    for name, raw in files:
        try:
            parsed = legacy.parse(legacy.decode(raw, name), name)
        except ValidationError as exc:
            results.append(LegacyResult(name=name, outcome=Outcome.REFUSED, reason=str(exc)))
            continue
        existing = (
            Article.objects.unscoped("a legacy key is unique across sites")
            .filter(legacy_key=parsed.key)
            .first()
        )
        if existing is not None:
            results.append(
                LegacyResult(
                    name=name,
                    outcome=Outcome.EXISTS,
                    article=parsed,
                    code=existing.code,
                    stripped=parsed.stripped,
                )
            )
            continue
        if dry_run:
            results.append(
                LegacyResult(
                    name=name, outcome=Outcome.WOULD_IMPORT, article=parsed, stripped=parsed.stripped
                )
            )
            continue
        article = Article(
            site=column.site,
            column=column,
            code=f"{parsed.published_at:%Y%m%d}-{secrets.token_hex(3)}",
            title=parsed.title,
            author=parsed.author,
            body_format=BodyFormat.HTML,
            body_source=_body_html(parsed),
            status=ArticleStatus.PUBLISHED,
            publish_at=parsed.published_at,
            legacy_key=parsed.key,
            created_by=user,
            approved_by=user,
        )
        article.body = render_body(article.body_source, article.body_format)
        article.search_text = to_simplified(
            f"{article.title} {article.author} {plain_text(article.body)}"
        ).lower()
        try:
            with transaction.atomic():
                article.full_clean(exclude=["cover", "created_by", "approved_by"])
                article.save()
                log(
                    article,
                    "portal.article.imported",
                    actor=actor,
                    org_unit=column.site.unit,
                    data={
                        "file": name,
                        "column": column.path,
                        "annotations": parsed.annotations,
                        "stripped": [s.kind for s in parsed.stripped],
                    },
                )
                transaction.on_commit(partial(public.bump_site, column.site_id))
        except IntegrityError:
            # the same article imported at the same moment by another run
            results.append(
                LegacyResult(name=name, outcome=Outcome.EXISTS, article=parsed, stripped=parsed.stripped)
            )
            continue
        results.append(
            LegacyResult(
                name=name,
                outcome=Outcome.IMPORTED,
                article=parsed,
                code=article.code,
                stripped=parsed.stripped,
            )
        )
    return results


def outcome_label(outcome: str) -> str:
    return {
        Outcome.IMPORTED: _("已导入"),
        Outcome.WOULD_IMPORT: _("将导入（试运行）"),
        Outcome.EXISTS: _("已导入过，跳过"),
        Outcome.REFUSED: _("拒绝"),
    }[outcome]
