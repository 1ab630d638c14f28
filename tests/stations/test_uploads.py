"""Uploaded photos are checked by content, size-limited and re-encoded without metadata."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from stations.uploads import clean_evidence, clean_image
from tests.factories.fieldwork import image_bytes, upload


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


def test_evidence_may_be_a_pdf() -> None:
    safe = clean_evidence(upload("bill.pdf", b"%PDF-1.7\n...", "application/pdf"))
    assert safe.name.endswith(".pdf")
