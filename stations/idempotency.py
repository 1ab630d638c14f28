"""Double-submit protection shared by the field-work services.

Every create form carries a hidden random token, and API clients may send an `Idempotency-Key`
header. Either becomes a UUID scoped to the user (two users can never collide) that is stored in
the row's unique `client_token` column, so submitting the same form or request twice returns
the row made the first time instead of a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.db import IntegrityError, models, transaction

_NAMESPACE = uuid.UUID("8f6d0b3e-3f0e-4c1a-9a57-2b1d6f0c9e41")
MAX_KEY_LENGTH = 100


class _HasPk(Protocol):
    pk: Any


ModelT = TypeVar("ModelT", bound=models.Model)


def submission_token(*, user: _HasPk, key: str | None) -> uuid.UUID | None:
    """The row token for a form token or Idempotency-Key sent by this user (None without one)."""
    key = (key or "").strip()[:MAX_KEY_LENGTH]
    if not key:
        return None
    return uuid.uuid5(_NAMESPACE, f"{user.pk}:{key}")


def new_form_token() -> str:
    """A fresh random token for a create form's hidden field."""
    return uuid.uuid4().hex


def create_once(
    model: type[ModelT], token: uuid.UUID | None, create: Callable[[], ModelT]
) -> tuple[ModelT, bool]:
    """Run `create` unless a row with this token exists; returns (row, created).

    A concurrent twin that wins the race makes our insert fail on the unique token; we then
    return the twin's row. Any other integrity error is raised as it is.
    """
    if token is not None:
        existing = model._default_manager.filter(client_token=token).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        if token is not None:
            existing = model._default_manager.filter(client_token=token).first()
            if existing is not None:
                return existing, False
        raise
