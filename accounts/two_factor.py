"""The second factor: who needs it, enrolment, verification, backup codes, reset and unlock.

Built on django-otp (TOTP devices for authenticator apps, static devices for backup codes)
with our own small views, because django-two-factor-auth 1.18 requires
django-phonenumber-field < 9 and we pin 9.0. Every state change is an audit event.
A verified session is django-otp's own: ``django_otp.login`` stores the device's persistent id
in the session and ``OTPMiddleware`` (accounts.middleware.CachedOTPMiddleware) sets
``request.user.is_verified()`` from it.
"""

from __future__ import annotations

import base64
import math
import re
import secrets
from dataclasses import dataclass

import django_otp
import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, services
from accounts.models import NGO_ROLES, User

TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
_TOTP_SHAPE = re.compile(r"^\d{6,8}$")
_BACKUP_SHAPE = re.compile(r"^[a-z2-7]{8}$")


class SecondFactorError(ValueError):
    """A second-factor step that cannot go ahead (a wrong code, or too soon after one)."""

    def __init__(self, reason: str, *, wait_seconds: int = 0) -> None:
        super().__init__(reason)
        self.wait_seconds = wait_seconds


def _refuse_if_throttled(device: TOTPDevice | StaticDevice | None) -> None:
    """django-otp waits 1, 2, 4 ... s after each wrong code; say so instead of checking."""
    if device is None:
        return
    allowed, details = device.verify_is_allowed()
    if not allowed:
        locked_until = (details or {}).get("locked_until")
        wait = 1
        if locked_until is not None:
            wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        raise SecondFactorError("throttled", wait_seconds=wait)


def enforced() -> bool:
    """Whether the portal enforces second factors at all (THANA_REQUIRE_2FA)."""
    return bool(getattr(settings, "THANA_REQUIRE_2FA", True))


def is_verified(user: User) -> bool:
    """True when this request's session passed the second factor (set by OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def is_ngo_only(user: User) -> bool:
    """An NGO coordinator with no police posting and no admin rights: reads need no OTP."""
    if user.is_staff or user.is_superuser:
        return False
    roles = access.roles_of(user)
    return bool(roles) and roles <= {str(role) for role in NGO_ROLES}


def required_for(user: User, *, writing: bool) -> bool:
    """Whether this user must have a verified second factor for this request.

    Police roles, staff and superusers always; NGO coordinators only to write; an account with
    no posting at all too (it can see nothing, and must not become a way round the rule).
    """
    if not enforced() or not user.is_authenticated:
        return False
    if is_ngo_only(user):
        return writing
    return True


def required_at_login(user: User) -> bool:
    """Whether a password login alone leaves this user short of a usable session."""
    return enforced() and not is_ngo_only(user)


# --- Devices --------------------------------------------------------------------------------


def confirmed_totp(user: User) -> TOTPDevice | None:
    """The user's enrolled authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user: User) -> bool:
    """True when the user has enrolled an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (its secret stays until the code is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in by hand (groups of four)."""
    raw = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn on the server (no script, no CDN)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    backup_codes: list[str]


def normalise_token(token: str) -> str:
    """Codes are typed with spaces or dashes and in any case: compare them bare."""
    return re.sub(r"[\s-]", "", token or "").lower()


def confirm_enrolment(*, request: HttpRequest, user: User, token: str) -> Enrolment:
    """Confirm the pending authenticator with a code from the app, and verify the session.

    Refused when the user already has a device (a password alone must never replace it).
    A wrong code counts towards the django-axes lockout like any other failed login.
    """
    if has_device(user):
        raise SecondFactorError("already enrolled")
    device = pending_totp(user)
    _refuse_if_throttled(device)
    code = normalise_token(token)
    if not _TOTP_SHAPE.match(code) or not device.verify_token(code):
        _count_failure(request, user)
        raise SecondFactorError("wrong code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = regenerate_backup_codes(user=user, by=user, request=request, audit=False)
        services.record_event(
            actor=user, action="accounts.two_factor.enrolled", target=user, request=request
        )
    _verified_login(request, device)
    return Enrolment(device=device, backup_codes=codes)


def regenerate_backup_codes(
    *, user: User, by: User, request: HttpRequest | None, audit: bool = True
) -> list[str]:
    """Replace the user's backup codes with a fresh set, returned once and never shown again."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        if audit:
            services.record_event(
                actor=by,
                action="accounts.two_factor.backup_codes_regenerated",
                target=user,
                request=request,
            )
    return codes


def backup_codes_left(user: User) -> int:
    """How many unused backup codes the user still holds."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Verification ---------------------------------------------------------------------------


def _credentials(user: User) -> dict[str, str]:
    return {"username": user.get_username()}


def is_locked_out(request: HttpRequest, user: User) -> bool:
    """True when django-axes has locked this username from this address."""
    return AxesProxyHandler.is_locked(request, _credentials(user))


def clear_login_failures(request: HttpRequest, user: User) -> None:
    """A complete login clears this username+address's failures (AXES_RESET_ON_SUCCESS is off)."""
    axes_reset(ip=services.client_ip(request), username=user.get_username())


def _count_failure(request: HttpRequest, user: User) -> None:
    """A wrong code is a failed login: django-axes counts it and the audit log records it."""
    user_login_failed.send(
        sender=__name__,
        credentials={**_credentials(user), "second_factor": True},
        request=request,
    )


def _verified_login(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    """Mark the session verified with a fresh key (defeats a fixated pre-verification id)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    clear_login_failures(request, request.user)  # type: ignore[arg-type]


def verify(*, request: HttpRequest, user: User, token: str) -> TOTPDevice | StaticDevice:
    """Check a code from the app or a backup code; on success the session is verified.

    A wrong code is a failed login for django-axes (user_login_failed with the username), so
    five failures on the password and code steps together lock the username from the address.
    """
    code = normalise_token(token)
    device: TOTPDevice | StaticDevice | None = None
    if _TOTP_SHAPE.match(code):
        device = confirmed_totp(user)
    elif _BACKUP_SHAPE.match(code):
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    _refuse_if_throttled(device)
    with transaction.atomic():
        matched = (
            django_otp.verify_token(user, device.persistent_id, code)
            if device is not None
            else None
        )
    if matched is None:
        _count_failure(request, user)
        raise SecondFactorError("wrong code")
    _verified_login(request, matched)
    services.record_event(
        actor=user,
        action="accounts.two_factor.verified",
        target=user,
        data={"method": "backup_code" if isinstance(matched, StaticDevice) else "totp"},
        request=request,
    )
    return matched


# --- Administration -------------------------------------------------------------------------


@transaction.atomic
def reset_second_factor(*, user: User, by: User, request: HttpRequest | None) -> int:
    """Remove every device of the user (lost phone): they enrol afresh at their next login.

    Sessions verified with a removed device stop being verified at once (the middleware
    finds no device behind the session's id).
    """
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _ = model.objects.filter(user=user).delete()
        removed += count
    services.record_event(
        actor=by,
        action="accounts.two_factor.reset",
        target=user,
        data={"user": user.get_username()},
        request=request,
    )
    return removed


def unlock_login(*, user: User, by: User, request: HttpRequest | None) -> int:
    """Clear django-axes' failed attempts for the username from every address (audited)."""
    cleared = axes_reset(username=user.get_username())
    services.record_event(
        actor=by,
        action="accounts.login.unlocked",
        target=user,
        data={"user": user.get_username(), "attempts_cleared": cleared},
        request=request,
    )
    return cleared


def enrol_demo_device(user: User, key_hex: str) -> TOTPDevice:
    """Give a demo login a confirmed authenticator with the published demo secret."""
    device = confirmed_totp(user)
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    device.key = key_hex
    device.save()
    return device


def random_hex_key() -> str:
    """A fresh 20-byte secret, hex-encoded as django-otp stores it."""
    return secrets.token_hex(20)
