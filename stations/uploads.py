"""Checks for uploaded photos and documents, shared by every app that takes files.

A photo must really be a JPEG, PNG or WebP image (Pillow opens and verifies it; the name and the
browser's content type are not trusted), no larger than settings.UPLOAD_MAX_BYTES and of sane
dimensions. What is stored is a re-encoded copy without metadata (EXIF GPS positions of girl
students at a school drive must not leak), under a random name. Evidence for closing an audit
deficit may also be a PDF: pypdf must be able to read it, it must not be password-protected,
and nothing reachable in it may be active content (scripts, actions that run, launch, submit or
fetch, embedded files, rich media, XFA forms); what is stored is pypdf's rewrite of it, so bytes
after its end or objects nothing refers to (where a polyglot hides its second self) are gone.

Whatever passes, files are still served as sandboxed downloads (stations.views).
"""

from __future__ import annotations

import io
import logging
import uuid
import warnings
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo is the largest we expect

MESSAGES = {
    "too_large": _("This file is %(size)s; the largest allowed is %(limit)s."),
    "not_image": _("This file is not a photo we can use. Upload a JPEG, PNG or WebP image."),
    "bad_image": _("This image is damaged or too large to open. Upload another photo."),
    "not_evidence": _("Upload a photo (JPEG, PNG or WebP) or a PDF document."),
    "empty": _("The file is empty."),
    "bad_pdf": _("This PDF is damaged and cannot be read. Upload another copy."),
    "encrypted_pdf": _("This PDF is password-protected. Upload a copy without a password."),
    "active_pdf": _(
        "This PDF contains scripts, automatic actions or embedded files, which the portal does "
        "not accept. Print it to a new PDF (or scan the paper) and upload that."
    ),
}

# Dictionary keys that only active content has (names as pypdf decodes them, #xx escapes too).
PDF_ACTIVE_KEYS = frozenset(
    {
        "/JS",  # JavaScript action code
        "/JavaScript",  # the document's named scripts
        "/AA",  # additional actions: run on open, close, focus, page view, keystroke...
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",  # a file specification's embedded file streams
        "/RichMedia",
        "/RichMediaContent",
        "/XFA",  # XML forms: scripted, rendered by the viewer's own engine
    }
)
# Action types (an action dictionary's /S) that run, open, send or fetch something. GoTo
# (a page of this document), URI (a web link, checked below) and Named (next page...) stay.
PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
        "/GoTo3DView",
    }
)
PDF_ACTIVE_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
)
PDF_ACTIVE_URI_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
PDF_MAX_OBJECTS = 200_000  # far beyond a 5 MB scan; a crafted maze of references stops here

logger = logging.getLogger(__name__)


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
    """A safe copy of a photo, or of a PDF without active content, under a random name;
    ValidationError (translated) otherwise."""
    _check_size(upload)
    upload.seek(0)
    head = upload.read(5)
    if head == b"%PDF-":
        upload.seek(0)
        return clean_pdf(upload.read())
    try:
        return clean_image(upload)
    except ValidationError as exc:
        if exc.code == "not_image":
            raise ValidationError(MESSAGES["not_evidence"], code="not_evidence") from exc
        raise


def clean_pdf(data: bytes) -> ContentFile[bytes]:
    """pypdf's rewrite of a readable, unlocked PDF without active content; ValidationError
    (bad_pdf, encrypted_pdf, active_pdf) otherwise."""
    reader = _read_pdf(data)
    found = _active_content(reader)
    if found:
        logger.info("uploads: PDF refused for active content (%s)", found)
        raise ValidationError(MESSAGES["active_pdf"], code="active_pdf")
    try:
        buffer = io.BytesIO()
        PdfWriter(clone_from=reader).write(buffer)
    except Exception as exc:  # pypdf raises many kinds on hostile input; all mean "damaged"
        raise ValidationError(MESSAGES["bad_pdf"], code="bad_pdf") from exc
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.pdf")


def _read_pdf(data: bytes) -> PdfReader:
    """The parsed PDF with at least one page; ValidationError when damaged or locked."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(MESSAGES["encrypted_pdf"], code="encrypted_pdf")
        if len(reader.pages) == 0:
            raise ValidationError(MESSAGES["bad_pdf"], code="bad_pdf")
    except ValidationError:
        raise
    except Exception as exc:  # PdfReadError, ValueError, KeyError, RecursionError, ...
        raise ValidationError(MESSAGES["bad_pdf"], code="bad_pdf") from exc
    return reader


def _active_content(reader: PdfReader) -> str:
    """The first active-content marker reachable from the PDF's trailer ('' when none).

    Only what is reachable can be shown or run, and only that is written back (clean_pdf).
    """
    stack: list[Any] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    try:
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                if (item.idnum, item.generation) in seen:
                    continue
                seen.add((item.idnum, item.generation))
                if len(seen) > PDF_MAX_OBJECTS:
                    raise ValidationError(MESSAGES["bad_pdf"], code="bad_pdf")
                item = item.get_object()
            if isinstance(item, DictionaryObject):  # streams too: their dictionaries
                marker = _active_marker(item)
                if marker:
                    return marker
                stack.extend(item.values())
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    except ValidationError:
        raise
    except Exception as exc:  # a broken reference or stream deep in a hostile file
        raise ValidationError(MESSAGES["bad_pdf"], code="bad_pdf") from exc
    return ""


def _active_marker(entry: DictionaryObject) -> str:
    """What makes this one dictionary active content ('' when nothing does)."""
    for key in entry:
        if key in PDF_ACTIVE_KEYS:
            return str(key)
    if entry.get("/S") in PDF_ACTIVE_ACTIONS:
        return str(entry["/S"])
    if entry.get("/Subtype") in PDF_ACTIVE_ANNOTATIONS:
        return str(entry["/Subtype"])
    uri = entry.get("/URI")
    if isinstance(uri, str | bytes):
        text = uri.decode("latin-1") if isinstance(uri, bytes) else uri
        if text.strip().lower().startswith(PDF_ACTIVE_URI_SCHEMES):
            return "/URI"
    return ""


def content_type_for(name: str) -> str:
    """The content type to serve a stored file with (we chose its extension ourselves)."""
    extension = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "pdf": "application/pdf",
    }.get(extension, "application/octet-stream")
