"""Writes with a rule in the accounts app: audit events, postings, language preference."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from accounts import access
from accounts.models import AuditEvent, Posting, User
from stations.models import District, State, Station

JsonDict = dict[str, Any]


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from (the proxy must set REMOTE_ADDR correctly)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    data: JsonDict | None = None,
    request: HttpRequest | None = None,
    station: Station | None = None,
    district: District | None = None,
) -> AuditEvent:
    """Append one audit event. `action` is a dotted code such as 'groups.nomination.approved'."""
    district_id: int | None = district.pk if district is not None else None
    if station is not None and district is None:
        district_id = station.district_id
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        station=station,
        district_id=district_id,
        data=data or {},
        ip_address=client_ip(request),
    )


@transaction.atomic
def create_posting(
    *,
    user: User,
    role: str,
    unit: State | District | Station,
    by: User | None,
    request: HttpRequest | None = None,
) -> Posting:
    """Post a user to a unit in a role (audited). The unit type must suit the role."""
    fields = {
        State: {"state": unit},
        District: {"district": unit},
        Station: {"station": unit},
    }[type(unit)]
    posting = Posting(user=user, role=role, **fields)
    posting.full_clean()
    posting.save()
    access.forget_postings(user)
    record_event(
        actor=by,
        action="accounts.posting.created",
        target=posting,
        data={"user": user.username, "role": role, "unit": str(unit)},
        request=request,
        station=unit if isinstance(unit, Station) else None,
        district=unit if isinstance(unit, District) else None,
    )
    return posting


def set_preferred_language(*, user: User, language: str) -> None:
    """Remember the user's interface language (one of settings.LANGUAGES)."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported language: {language}")
    if user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


def record_login(*, user: User, request: HttpRequest | None) -> AuditEvent:
    """Audit a successful login."""
    return record_event(actor=user, action="accounts.login.succeeded", request=request)


def record_failed_login(
    *, username: str, request: HttpRequest | None, second_factor: bool = False
) -> AuditEvent:
    """Audit a failed login (the username tried, never the password or code)."""
    return record_event(
        actor=None,
        action="accounts.two_factor.failed" if second_factor else "accounts.login.failed",
        data={"username": username[:150]},
        request=request,
    )
