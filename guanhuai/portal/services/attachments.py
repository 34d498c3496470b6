"""Files of an article: attachments (PDF or images) and the cover image. Checked as every upload that a
page may serve is (`core.uploads`: size, kind by content, extension agreeing), stored under a random name,
and served by the public site only as a download. An image needs its alt text (GB/T 37668)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from guanhuai.accounts import scoping
from guanhuai.accounts.actor import Actor, signed_in
from guanhuai.audit.services import log
from guanhuai.core.errors import ValidationError
from guanhuai.core.uploads import IMAGE_TYPES, read_document
from guanhuai.portal.models import Article, Attachment
from guanhuai.portal.permissions import EDIT
from guanhuai.portal.states import ArticleStatus

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
COVER_MAX_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 20


def _max(default: int) -> int:
    return min(int(getattr(settings, "GUANHUAI_MAX_UPLOAD_BYTES", default)), default)


def _editable(actor: Actor, article: Article) -> None:
    scoping.require(actor, EDIT, article.site.unit)
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.PENDING):
        raise ValidationError(_("只有草稿和待审核的文章可以修改附件。"), code="status")


def _stored_name(content_type: str) -> str:
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    return f"{secrets.token_hex(12)}.{ext}"


def attachment_add(*, actor: Actor, article: Article, upload: Any, alt: str = "") -> Attachment:
    _editable(actor, article)
    checked = read_document(upload, max_bytes=_max(ATTACHMENT_MAX_BYTES))
    name, content, content_type = checked.name, checked.content, checked.content_type
    if content_type in IMAGE_TYPES and not alt.strip():
        raise ValidationError(_("图片附件须写明图片说明（它显示的内容）。"), code="alt")
    with transaction.atomic():
        if article.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError(_("每篇文章最多 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS}, code="too_many")
        attachment = Attachment(
            article=article,
            code=secrets.token_hex(4),
            name=name,
            content_type=content_type,
            size=len(content),
            alt=alt.strip()[:120],
            position=article.attachments.count(),
            uploaded_by=signed_in(actor),
        )
        attachment.file.save(_stored_name(content_type), ContentFile(content), save=False)
        attachment.save()
        log(article, "portal.attachment.added", actor=actor, org_unit=article.site.unit, data={"name": name})
    return attachment


def attachment_remove(*, actor: Actor, attachment: Attachment) -> None:
    article = attachment.article
    _editable(actor, article)
    with transaction.atomic():
        name = attachment.name
        attachment.delete()
        log(
            article, "portal.attachment.removed", actor=actor, org_unit=article.site.unit, data={"name": name}
        )
    transaction.on_commit(lambda: attachment.file.delete(save=False))


def article_cover_set(*, actor: Actor, article: Article, upload: Any, alt: str) -> Article:
    _editable(actor, article)
    if not alt.strip():
        raise ValidationError(_("请写明封面图片的说明（它显示的内容）。"), code="cover_alt")
    checked = read_document(upload, max_bytes=_max(COVER_MAX_BYTES), allowed=IMAGE_TYPES)
    with transaction.atomic():
        article.cover.save(_stored_name(checked.content_type), ContentFile(checked.content), save=False)
        article.cover_alt = alt.strip()[:120]
        article.save(update_fields=["cover", "cover_alt", "updated_at"])
        log(article, "portal.article.saved", actor=actor, org_unit=article.site.unit, data={"cover": True})
    return article
