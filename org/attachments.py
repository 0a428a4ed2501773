"""Attachments: type checked by content (not by name), size limited, stored outside the static root."""

import os

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from org.audit import audit
from org.models import Attachment

MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


def sniff(upload) -> str:
    """The real content type of an upload (PDF or image), or ValidationError in Chinese."""
    if upload.size > MAX_BYTES:
        raise ValidationError(f"附件“{upload.name}”超过10MB（{upload.size / 1024 / 1024:.1f}MB）。")
    if upload.size == 0:
        raise ValidationError(f"附件“{upload.name}”是空文件。")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if head.lstrip().startswith(b"%PDF-"):
        return "application/pdf"
    try:
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        fmt = None
    finally:
        upload.seek(0)
    if fmt in IMAGE_FORMATS:
        return IMAGE_FORMATS[fmt]
    raise ValidationError(f"附件“{upload.name}”不是PDF或图片（JPG、PNG、GIF、WEBP），请重新选择。")


# The stored file's extension follows the sniffed type, never the uploaded name: a PDF named "x.html" is stored as
# .pdf and can never be served as a page.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def attachment_save(*, actor, unit, owner: str, upload, purpose: str = "", request=None) -> Attachment:
    content_type = sniff(upload)
    name = os.path.basename(upload.name)[:200] or "附件"
    stem = os.path.splitext(name)[0][:150] or "附件"
    attachment = Attachment(
        unit=unit,
        owner=owner,
        purpose=purpose,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(stem + EXTENSIONS[content_type], upload, save=False)
    attachment.save()
    audit(
        actor,
        "attachment.add",
        attachment,
        unit=unit,
        changes={"事项": owner, "用途": purpose, "文件名": name},
        request=request,
    )
    return attachment


def attachments_for(owner: str):
    return Attachment.objects.filter(owner=owner).order_by("uploaded_at", "id")
