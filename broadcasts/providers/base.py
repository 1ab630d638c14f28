"""The one small interface every WhatsApp provider implements."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol


class ErrorClass(enum.StrEnum):
    """What the sender does about an error (../shared/whatsapp/README.md)."""

    THROTTLE = "throttle"  # slow the whole sender down, retry later
    PAIR_LIMIT = "pair_limit"  # same recipient too fast: retry that one after 1, 4, 16, 64 s
    TRANSIENT = "transient"  # retry with backoff and jitter, bounded
    STOP = "stop"  # stop the broadcast and tell an officer
    NEVER_RETRY = "never_retry"  # mark failed with the reason
    OPTED_OUT = "opted_out"  # 131050: never retry, and suppress the citizen from now on
    AMBIGUOUS = "ambiguous"  # the request left but no answer came: maybe sent -> `unknown`


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send: a template with parameters, or free text (24-hour window only)."""

    to: str  # E.164; "" for a citizen known only by WhatsApp user id (number withheld)
    callback_data: str  # our delivery id, echoed back in status webhooks
    template_name: str = ""
    language: str = ""
    parameters: list[str] = field(default_factory=list)
    text: str = ""
    user_id: str = ""  # the business-scoped user id, sent as `recipient` when there is no phone

    @property
    def recipient_key(self) -> str:
        """Who it goes to, for per-recipient limits: the phone, else the user id."""
        return self.to or self.user_id


@dataclass(frozen=True)
class SendResult:
    wamid: str


class ProviderError(Exception):
    """A send that did not succeed; `error_class` says what to do about it."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None,
        error_class: ErrorClass,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.error_class = error_class
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        return self.error_class in {ErrorClass.NEVER_RETRY, ErrorClass.OPTED_OUT, ErrorClass.STOP}


class Provider(Protocol):
    name: str
    sender_id: str  # the phone number id whose throughput the rate limiter guards
    max_in_flight: int  # how many sends may run at once (1 = inline, e.g. DB-backed sandbox)

    def send(self, message: OutgoingMessage) -> SendResult: ...


THROTTLE_CODES = frozenset({130429, 4, 80007})
PAIR_LIMIT_CODES = frozenset({131056})
TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 131057, 131052, 131053})
STOP_CODES = frozenset({131048, 132015, 132016, 190, 133010, 131031, 368})
# 131062: a template kind WhatsApp does not send to a user id (one-tap, zero-tap, copy-code
# authentication): resending cannot help.
NEVER_RETRY_CODES = frozenset({131026, 131047, 131049, 131062, 132000, 132001})
OPTED_OUT_CODE = 131050
# WhatsApp's per-person marketing cap (across all businesses): that citizen cannot get
# marketing today; wait at least this long before trying again (Meta: retrying sooner draws
# more 131049s and may block the number's messages to them for up to a day).
MARKETING_CAP_CODE = 131049
MARKETING_CAP_WAIT_HOURS = 24


def classify(code: int | None, *, http_status: int | None = None) -> ErrorClass:
    """The error class of a Cloud API error code (HTTP status only when there is no code)."""
    if code in THROTTLE_CODES:
        return ErrorClass.THROTTLE
    if code in PAIR_LIMIT_CODES:
        return ErrorClass.PAIR_LIMIT
    if code in TRANSIENT_CODES:
        return ErrorClass.TRANSIENT
    if code in STOP_CODES:
        return ErrorClass.STOP
    if code == OPTED_OUT_CODE:
        return ErrorClass.OPTED_OUT
    if code in NEVER_RETRY_CODES:
        return ErrorClass.NEVER_RETRY
    if code is None and http_status is not None and (http_status >= 500 or http_status == 429):
        return ErrorClass.TRANSIENT if http_status >= 500 else ErrorClass.THROTTLE
    return ErrorClass.NEVER_RETRY
