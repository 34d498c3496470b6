"""The checks every uploaded document passes (an application's certificates, a project's photos and sign-in
sheets): a size limit, and a content type judged from the file's first bytes, never from its name. One
copy, here, for every app that takes documents."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from guanhuai.core.errors import ValidationError

# Magic bytes → (content type, allowed file name extensions).
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = ("image/jpeg", "image/png")


def sniff(head: bytes, file_name: str, *, allowed: tuple[str, ...] | None = None) -> str:
    """The content type of a PDF, JPEG or PNG by its first bytes (only `allowed` types, when given, e.g.
    IMAGE_TYPES for a cover picture); refused when the name says otherwise."""
    lowered = file_name.lower()
    for magic, content_type, extensions in SIGNATURES:
        if head.startswith(magic) and (allowed is None or content_type in allowed):
            if not lowered.endswith(extensions):
                raise ValidationError(
                    _("文件“%(name)s”的内容是 %(type)s，与扩展名不符。请上传原始文件。")
                    % {"name": file_name, "type": content_type.split("/")[1].upper()},
                    code="document_type_mismatch",
                )
            return content_type
    if allowed == IMAGE_TYPES:
        message = _("文件“%(name)s”不是 JPEG 或 PNG 图片（按文件内容判断，不看扩展名）。")
    else:
        message = _("文件“%(name)s”不是 PDF、JPEG 或 PNG 文件（按文件内容判断，不看扩展名）。")
    raise ValidationError(message % {"name": file_name}, code="document_type")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def read_document(upload: Any, *, max_bytes: int, allowed: tuple[str, ...] | None = None) -> CheckedFile:
    """Read an uploaded file once, checked: not empty, not above `max_bytes`, a PDF, JPEG or PNG (or only the
    `allowed` types)."""
    file_name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("文件“%(name)s”有 %(size).1f MB，超过 %(limit)d MB 的上限。")
            % {"name": file_name, "size": size / 1024 / 1024, "limit": max_bytes // 1024 // 1024},
            code="document_too_large",
        )
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)d MB 的上限。")
            % {"name": file_name, "limit": max_bytes // 1024 // 1024},
            code="document_too_large",
        )
    if not content:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": file_name}, code="document_empty")
    content_type = sniff(content[:16], file_name, allowed=allowed)
    return CheckedFile(file_name, content, content_type, hashlib.sha256(content).hexdigest())


def store(document: Any, checked: CheckedFile) -> None:
    """Save a checked upload as `document`'s file, under a random name (never the uploader's), and then the
    document's row, inside the caller's transaction; a row the database refuses takes its file away with it,
    so no file is left without a row. The model has `file`, `file_name`, `content_type`, `size` and `sha256`
    (an application's documents, a project's)."""
    document.file_name, document.content_type = checked.name, checked.content_type
    document.size, document.sha256 = len(checked.content), checked.sha256
    document.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
