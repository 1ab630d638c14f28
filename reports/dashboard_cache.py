"""The IC dashboard's slow-moving cards, cached per user and invalidated by the writes they show.

SOS and overdue complaints are never cached: the dashboard reads them on every request. The
other cards (groups and their vetting queue, hotspots not patrolled, open deficits, broadcasts
reaching the station, the monthly return) change a few times a day, yet the dashboard is every
station user's landing page and is reloaded all shift long. Reading them costs most of the
page's queries, so they are kept in the cache:

* keyed by the user, the stations shown, the date, and a version per station and per district;
* every save or delete of a model those cards show bumps its station's version (or its
  district's, for broadcasts) at once and again when the transaction commits, so the next
  request recomputes: an IC who vets a nomination sees the queue shrink at once;
* bulk writes that skip model signals (QuerySet.update, the broadcast engine's SQL) are bounded
  by the time-out, DASHBOARD_CACHE_SECONDS (60 by default; 0 turns the cache off).

The key holds the user because what a card lists depends on the user's own postings (a
district posting adds the district's broadcasts; the return card offers "submit" by role).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.access import AnyUser
from stations.models import Station

T = TypeVar("T")

_PREFIX = "dashboard:v1"


def _station_key(station_id: int) -> str:
    return f"{_PREFIX}:station:{station_id}"


def _district_key(district_id: int) -> str:
    return f"{_PREFIX}:district:{district_id}"


def timeout() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 60))


def cached_cards(
    *, user: AnyUser, stations: list[Station], day: Any, compute: Callable[[], T]
) -> T:
    """compute() for these stations, from the cache while nothing it shows has changed.

    The versions are read before computing, so a write that commits while the cards are being
    read bumps a version this result is not stored under: it is never served as current.
    """
    seconds = timeout()
    if seconds <= 0 or not stations:
        return compute()
    version_keys = [_station_key(s.pk) for s in stations] + sorted(
        {_district_key(s.district_id) for s in stations}
    )
    versions = cache.get_many(version_keys)
    parts = [str(versions.get(key, 0)) for key in version_keys]
    ids = ",".join(str(s.pk) for s in stations)
    key = f"{_PREFIX}:cards:{user.pk}:{day.isoformat()}:{ids}:{':'.join(parts)}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    result = compute()
    cache.set(key, result, seconds)
    return result


def bump(*, station_ids: Iterable[int | None] = (), district_ids: Iterable[int | None] = ()):  # type: ignore[no-untyped-def]
    """New versions for these stations and districts, once the current transaction commits."""
    keys = [_station_key(pk) for pk in station_ids if pk] + [
        _district_key(pk) for pk in district_ids if pk
    ]
    if not keys:
        return
    # Now, so this transaction's own next read recomputes; and again after the commit, so
    # cards another request computed from the not-yet-committed state are not kept either.
    cache.set_many(dict.fromkeys(keys, time.time_ns()), None)
    transaction.on_commit(lambda: cache.set_many(dict.fromkeys(keys, time.time_ns()), None))


# --- What each model's rows touch --------------------------------------------------------------


def _station_of(instance: Any) -> tuple[list[int | None], list[int | None]]:
    return [getattr(instance, "station_id", None)], []


def _station_through(parent: str, key: str) -> Callable[[Any], tuple[list[int | None], list]]:
    """For a row that reaches its station through a parent (a nomination's group, a patrol's
    hotspot): the parent's station, read by the row's key."""

    def station_of(instance: Any) -> tuple[list[int | None], list[int | None]]:
        parents = apps.get_model(parent).objects.filter(pk=getattr(instance, key))
        return [parents.values_list("station_id", flat=True).first()], []

    return station_of


def _broadcast_district(instance: Any) -> tuple[list[int | None], list[int | None]]:
    return [], [instance.district_id]


CARD_SOURCES: dict[str, Callable[[Any], tuple[list[int | None], list[int | None]]]] = {
    "groups.CommunityGroup": _station_of,
    "groups.Nomination": _station_through("groups.CommunityGroup", "group_id"),
    "groups.Membership": _station_through("groups.CommunityGroup", "group_id"),
    "stations.Hotspot": _station_of,
    "stations.Patrol": _station_through("stations.Hotspot", "hotspot_id"),
    "stations.ActionItem": _station_of,
    "stations.StationReturn": _station_of,
    "broadcasts.Broadcast": _broadcast_district,
    # A follow-up saves its referral too (complaints.casework.follow_up_referral).
    "complaints.Referral": _station_through("complaints.Complaint", "complaint_id"),
}


def _on_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    station_ids, district_ids = CARD_SOURCES[sender._meta.label](instance)
    bump(station_ids=station_ids, district_ids=district_ids)


def connect() -> None:
    """Called from ReportsConfig.ready(): every card source bumps its version on a write."""
    for label in CARD_SOURCES:
        model = apps.get_model(label)
        uid = f"dashboard-cache-{label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete")
