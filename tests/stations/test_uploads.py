"""Uploaded photos are checked by content, size-limited and re-encoded without metadata; PDFs
are parsed (pypdf), refused when they carry active content, and stored as pypdf rewrote them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader

from stations.uploads import clean_evidence, clean_image
from tests.factories.fieldwork import image_bytes, pdf_bytes, upload


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_real_images_are_accepted_and_renamed(fmt: str) -> None:
    safe = clean_image(upload("photo.bin", image_bytes(fmt)))
    assert Image.open(io.BytesIO(safe.read())).format == fmt
    assert not safe.name.startswith("photo")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (image_bytes("GIF"), "not_image"),
        (image_bytes("BMP"), "not_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not_image"),
        (b"%PDF-1.4 not a photo", "not_image"),
        (image_bytes("PNG", (120, 120))[:-40], "bad_image"),
        (b"", "empty"),
    ],
)
def test_anything_else_is_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_image(upload("photo.jpg", data))
    assert exc.value.code == code


def test_a_file_over_the_limit_is_refused_naming_both_sizes(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as exc:
        clean_image(upload("big.png", image_bytes("PNG", (300, 300)) + b"\0" * 4096))
    assert exc.value.code == "too_large"
    assert "2.0\xa0KB" in exc.value.messages[0]


def test_location_metadata_is_stripped() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: any EXIF would do
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, format="JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    safe = clean_image(upload("p.jpg", buffer.getvalue()))
    assert b"PhoneMaker" not in safe.read()


def _pdf(data: bytes):  # type: ignore[no-untyped-def]
    return upload("bill.pdf", data, "application/pdf")


def test_evidence_may_be_a_pdf() -> None:
    safe = clean_evidence(_pdf(pdf_bytes(text="Receipt No. 4417")))
    assert safe.name.endswith(".pdf")
    assert not safe.name.startswith("bill")
    stored = PdfReader(io.BytesIO(safe.read()))
    assert len(stored.pages) == 1
    assert stored.metadata is not None and stored.metadata.title == "Receipt No. 4417"


def test_a_pdf_that_opens_at_a_page_is_accepted() -> None:
    """Office suites write /OpenAction [page /Fit]: a destination, no code."""
    assert clean_evidence(_pdf(pdf_bytes(active="open_action_page"))).name.endswith(".pdf")


@pytest.mark.parametrize(
    "active",
    [
        "javascript",
        "open_action_js",
        "page_aa",
        "launch",
        "attachment",
        "xfa",
        "rich_media",
        "submit_form",
        "javascript_uri",
    ],
)
def test_a_pdf_with_active_content_is_refused(active: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_evidence(_pdf(pdf_bytes(active=active)))
    assert exc.value.code == "active_pdf"
    assert "Print it to a new PDF" in exc.value.messages[0]


def test_active_content_behind_escaped_names_is_found() -> None:
    data = pdf_bytes(active="open_action_js").replace(b"/JavaScript", b"/J#61vaScript")
    assert b"/JavaScript" not in data
    with pytest.raises(ValidationError) as exc:
        clean_evidence(_pdf(data))
    assert exc.value.code == "active_pdf"


def test_what_is_stored_is_the_rewritten_pdf_not_the_upload() -> None:
    """Bytes after the end (a PDF/HTML polyglot) or objects nothing refers to are dropped."""
    data = pdf_bytes() + b"\n99 0 obj\n(/JS orphan)\nendobj\n<html><script>alert(1)</script>"
    stored = clean_evidence(_pdf(data)).read()
    assert stored.startswith(b"%PDF-")
    assert b"<script>" not in stored and b"orphan" not in stored


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7\n...", "bad_pdf"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "bad_pdf"),
        (pdf_bytes()[:200], "bad_pdf"),
        (pdf_bytes(active="encrypted"), "encrypted_pdf"),
    ],
)
def test_a_damaged_or_locked_pdf_is_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_evidence(_pdf(data))
    assert exc.value.code == code
