"""Checks for uploaded photos and documents, shared by every app that takes files.

A photo must really be a JPEG, PNG or WebP image (Pillow opens and verifies it; the name and the
browser's content type are not trusted), no larger than settings.UPLOAD_MAX_BYTES and of sane
dimensions. What is stored is a re-encoded copy without metadata (EXIF GPS positions of girl
students at a school drive must not leak), under a random name. Evidence for closing an audit
deficit may also be a PDF (checked by its signature and size).
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo is the largest we expect

MESSAGES = {
    "too_large": _("This file is %(size)s; the largest allowed is %(limit)s."),
    "not_image": _("This file is not a photo we can use. Upload a JPEG, PNG or WebP image."),
    "bad_image": _("This image is damaged or too large to open. Upload another photo."),
    "not_evidence": _("Upload a photo (JPEG, PNG or WebP) or a PDF document."),
    "empty": _("The file is empty."),
}


def _check_size(upload: UploadedFile[bytes]) -> None:
    """Refuse empty files and files over settings.UPLOAD_MAX_BYTES, naming both sizes."""
    size = int(upload.size or 0)
    if size == 0:
        raise ValidationError(MESSAGES["empty"], code="empty")
    limit = int(settings.UPLOAD_MAX_BYTES)
    if size > limit:
        raise ValidationError(
            MESSAGES["too_large"],
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


def _open_image(data: bytes) -> Image.Image:
    """The decoded image; ValidationError when it is not an allowed, sane image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in IMAGE_FORMATS:
                raise ValidationError(MESSAGES["not_image"], code="not_image")
            probe.verify()  # checks the file's structure; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(MESSAGES["bad_image"], code="bad_image")
            image.load()
    except ValidationError:
        raise
    except UnidentifiedImageError as exc:
        raise ValidationError(MESSAGES["not_image"], code="not_image") from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning) as exc:
        raise ValidationError(MESSAGES["bad_image"], code="bad_image") from exc
    return image


def _reencoded(image: Image.Image) -> ContentFile[bytes]:
    """The image saved again in its own format without metadata, under a random name."""
    fmt = str(image.format)
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG" and upright.mode not in {"RGB", "L"}:
        upright = upright.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": 85} if fmt in {"JPEG", "WEBP"} else {"optimize": True}
    upright.save(buffer, format=fmt, **options)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{IMAGE_FORMATS[fmt]}")


def clean_image(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """A safe copy of an uploaded photo; ValidationError (translated) for anything else."""
    _check_size(upload)
    upload.seek(0)
    image = _open_image(upload.read())
    return _reencoded(image)


def clean_evidence(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """A safe copy of a photo, or the PDF itself under a random name; ValidationError otherwise."""
    _check_size(upload)
    upload.seek(0)
    head = upload.read(5)
    if head == b"%PDF-":
        upload.seek(0)
        return ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.pdf")
    try:
        return clean_image(upload)
    except ValidationError as exc:
        if exc.code == "not_image":
            raise ValidationError(MESSAGES["not_evidence"], code="not_evidence") from exc
        raise


def content_type_for(name: str) -> str:
    """The content type to serve a stored file with (we chose its extension ourselves)."""
    extension = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "pdf": "application/pdf",
    }.get(extension, "application/octet-stream")
