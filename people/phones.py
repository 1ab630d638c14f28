"""Phone numbers as people write them in India, normalised to E.164.

Accepts "+91 98765-43210", "098765 43210", "9876543210", "919876543210", and the same written in
Devanagari (९८७६५४३२१०) or Bengali (৯৮৭৬৫৪৩২১০) digits. WhatsApp needs a mobile number, so
landlines are told apart from mobiles.

Also accepts a number the way it arrives when copied: wrapped in WhatsApp's invisible direction
marks (U+202A ... U+202C) or other bidi and zero-width characters, after the apostrophe Excel
users type to keep a number as text ('9826400009), or with the '.0' another program wrote
after it (9826400009.0).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberType

DEFAULT_REGION = "IN"
# Decimal digits of every script: int(ch) on str handles them, but keep the mapping explicit
# for the scripts our users write so the intent is visible.
_DIGIT_BLOCKS = {0x0966: "Devanagari", 0x09E6: "Bengali", 0x0AE6: "Gujarati", 0x0A66: "Gurmukhi"}
_TRANSLATE = {block + offset: str(offset) for block in _DIGIT_BLOCKS for offset in range(10)}
_ALLOWED = re.compile(r"^[0-9+\-\s().]*$")
# Characters no one sees that copied text carries: bidi marks, embeddings, overrides and isolates
# (WhatsApp wraps every number it copies in U+202A ... U+202C), zero-width space and joiners, BOM.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_PHONE_TRANSLATE = {**_TRANSLATE, **dict.fromkeys(map(ord, INVISIBLE))}  # digits, and drop these
_TEXT_MARKS = "'\u2018\u2019"  # Excel's keep-as-text apostrophe, also as typographic quotes
_TEXT_DECIMAL = re.compile(r"(?<=\d)\.0+$")  # 9826400009.0: a number written out as text
_SPACES = re.compile(r"\s+")  # also the no-break spaces of copied numbers (U+00A0, U+202F)
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneProblem(enum.StrEnum):
    """Why a number was refused; the value is stable (used in import reports)."""

    EMPTY = "empty"
    INVALID = "invalid"
    LANDLINE = "landline"


MESSAGES = {
    PhoneProblem.EMPTY: _("Enter a phone number."),
    PhoneProblem.INVALID: _(
        "This is not a valid phone number. Write a 10-digit mobile number, e.g. 98765 43210."
    ),
    PhoneProblem.LANDLINE: _(
        "This looks like a landline. WhatsApp needs a mobile number, e.g. 98765 43210."
    ),
}


class InvalidPhone(ValidationError):
    """A ValidationError that also carries the machine-readable reason."""

    def __init__(self, problem: PhoneProblem) -> None:
        super().__init__(MESSAGES[problem], code=problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Phone:
    e164: str
    is_mobile: bool


def ascii_digits(raw: str) -> str:
    """The text with Devanagari, Bengali (and other Indic) digits turned into 0-9."""
    return raw.translate(_TRANSLATE)


def parse_phone(raw: str | None, *, region: str = DEFAULT_REGION) -> Phone:
    """Parse a number as typed; raise InvalidPhone with the reason when it is unusable."""
    text = (raw or "").translate(_PHONE_TRANSLATE).strip().lstrip(_TEXT_MARKS).strip()
    text = _SPACES.sub(" ", _TEXT_DECIMAL.sub("", text))
    if not text:
        raise InvalidPhone(PhoneProblem.EMPTY)
    if not _ALLOWED.match(text) or len(re.sub(r"\D", "", text)) > 15:
        raise InvalidPhone(PhoneProblem.INVALID)
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and len(digits) == 12 and digits.startswith("91"):
        text = "+" + digits  # "919876543210": country code written without the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(PhoneProblem.INVALID) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(PhoneProblem.INVALID)
    is_mobile = phonenumbers.number_type(number) in MOBILE_TYPES
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), is_mobile)


def normalize_mobile(raw: str | None, *, region: str = DEFAULT_REGION) -> str:
    """E.164 form of a mobile number; InvalidPhone when empty, invalid or a landline."""
    phone = parse_phone(raw, region=region)
    if not phone.is_mobile:
        raise InvalidPhone(PhoneProblem.LANDLINE)
    return phone.e164


def whatsapp_id(e164: str) -> str:
    """The wa_id WhatsApp uses for a number: E.164 without the plus."""
    return e164.lstrip("+")
