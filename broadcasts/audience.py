"""A broadcast's audience: who it reaches, who is suppressed, and the set-based fan-out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from broadcasts import audience_sources
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from broadcasts.providers.base import MARKETING_CAP_WAIT_HOURS
from people.models import Citizen, messageable


def audience_queryset(broadcast: Broadcast) -> QuerySet[Citizen]:
    """Every citizen the broadcast's filters select, before suppression.

    With named audiences (lists, community groups) the citizen must also be in at least one of
    them; each is resolved for the broadcast's maker, so a list or group the maker can no
    longer see contributes nobody. Everything stays one query: the sources are subqueries.
    """
    citizens = _filtered(broadcast)
    if broadcast.audience_sources:
        subqueries = audience_sources.citizen_ids(broadcast.created_by, broadcast.audience_sources)
        in_any = Q(pk__in=[])
        for subquery in subqueries:
            in_any |= Q(pk__in=subquery)
        citizens = citizens.filter(in_any)
    return citizens


def _filtered(broadcast: Broadcast) -> QuerySet[Citizen]:
    """The district narrowed by stations, tags and languages (no named audience)."""
    citizens = Citizen.objects.filter(district_id=broadcast.district_id)
    station_ids = list(broadcast.audience_stations.values_list("id", flat=True))
    if station_ids:
        citizens = citizens.filter(station_id__in=station_ids)
    tag_ids = list(broadcast.audience_tags.values_list("id", flat=True))
    if tag_ids:
        citizens = citizens.filter(tags__in=tag_ids).distinct()
    if broadcast.audience_languages:
        citizens = citizens.filter(preferred_language__in=broadcast.audience_languages)
    return citizens


@dataclass(frozen=True)
class SourceSize:
    """How many of one named audience the broadcast reaches (after the other filters)."""

    source: str
    choice: str
    audience: int
    recipients: int


@dataclass
class Preview:
    """What the officer sees before sending."""

    audience: int
    suppressed: int
    recipients: int
    languages: dict[str, int] = field(default_factory=dict)
    template_status: str = ""
    template_languages_missing: list[str] = field(default_factory=list)
    estimated_seconds: int = 0
    needs_approval: bool = False
    # One row per named audience picked: (source label, choice label, audience, recipients).
    per_source: list[SourceSize] = field(default_factory=list)
    # The plan (issue 15): what WhatsApp's limits and prices make of the recipients.
    category: str = ""  # the template's: MARKETING counts towards the per-person cap and costs most
    capped_now: int = 0  # capped in the last 24 hours: not sent (marketing only)
    capped_share: float = 0.0  # of this audience's marketing in the last 7 days, 131049'd
    expected_capped: int = 0  # capped_now + capped_share of the others
    tier_limit: int = 0  # unique recipients a day the portfolio may reach (0 = unlimited)
    tier_used: int = 0  # already reached in the moving 24 hours (all broadcasts, all numbers)
    deferred: int = 0  # beyond the tier today: sent when the window allows
    price_inr: float = 0.0  # per delivered message of this category
    estimated_cost_inr: float = 0.0  # at most: every message not capped delivered

    @property
    def capped_percent(self) -> float:
        return 100 * self.capped_share

    @property
    def estimated_minutes(self) -> int:
        return math.ceil(self.estimated_seconds / 60) if self.estimated_seconds else 0


def preview(broadcast: Broadcast) -> Preview:
    """Audience size, suppressed count, language split, duration at the configured rate."""
    citizens = audience_queryset(broadcast)
    totals = citizens.aggregate(
        audience=Count("id", distinct=True),
        recipients=Count("id", filter=messageable(), distinct=True),
    )
    languages = dict(
        citizens.filter(messageable())
        .values_list("preferred_language")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    recipients = totals["recipients"] or 0
    shown = Preview(
        audience=totals["audience"] or 0,
        suppressed=(totals["audience"] or 0) - recipients,
        recipients=recipients,
        languages=languages,
        template_status=broadcast.template.status,
        estimated_seconds=math.ceil(recipients / float(settings.WHATSAPP_MESSAGES_PER_SECOND)),
        needs_approval=recipients > settings.BROADCAST_APPROVAL_THRESHOLD,
        per_source=source_sizes(broadcast),
    )
    _plan(broadcast, citizens.filter(messageable()), shown)
    return shown


CAPPED_HISTORY = timedelta(days=7)


def _plan(broadcast: Broadcast, recipients: QuerySet[Citizen], shown: Preview) -> None:
    """Fill the plan: the per-person cap (now and expected), the day's tier and the cost."""
    from broadcasts.services import messaging_limit

    now = timezone.now()
    category = broadcast.template.category
    shown.category = category
    marketing = category == MessageTemplate.Category.MARKETING
    if marketing:
        since = now - timedelta(hours=MARKETING_CAP_WAIT_HOURS)
        shown.capped_now = recipients.filter(marketing_capped_at__gt=since).count()
        marketing_rows = Q(template__category=MessageTemplate.Category.MARKETING) | Q(
            broadcast__template__category=MessageTemplate.Category.MARKETING
        )
        answered = Delivery.objects.filter(
            marketing_rows,
            citizen_id__in=recipients.values("id"),
            created_at__gte=now - CAPPED_HISTORY,
            status__in=ANSWERED,
        ).aggregate(
            answered=Count("id"), capped=Count("id", filter=Q(status=DeliveryStatus.CAPPED))
        )
        if answered["answered"]:
            shown.capped_share = answered["capped"] / answered["answered"]
        others = shown.recipients - shown.capped_now
        shown.expected_capped = shown.capped_now + round(others * shown.capped_share)
    to_send = shown.recipients - shown.capped_now
    shown.estimated_seconds = math.ceil(to_send / float(settings.WHATSAPP_MESSAGES_PER_SECOND))
    shown.tier_limit = messaging_limit()
    if shown.tier_limit:
        shown.tier_used = recipients_in_last_day()
        shown.deferred = max(0, to_send - max(0, shown.tier_limit - shown.tier_used))
    shown.price_inr = float(settings.WHATSAPP_PRICE_INR.get(category, 0))
    charged = shown.recipients - shown.expected_capped
    shown.estimated_cost_inr = round(max(0, charged) * shown.price_inr, 2)


# Deliveries WhatsApp answered one way or another (what the capped share is a share of).
ANSWERED = (
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.READ,
    DeliveryStatus.FAILED,
    DeliveryStatus.CAPPED,
)


def source_sizes(broadcast: Broadcast) -> list[SourceSize]:
    """Audience and recipients of each named audience on its own (they may overlap)."""
    sizes = []
    user = broadcast.created_by
    base = _filtered(broadcast)
    for key, ids in sorted(broadcast.audience_sources.items()):
        source = audience_sources.get(key)
        if source is None:
            continue
        labels = {c.id: c.label for c in source.choices(user)}
        for choice_id in ids:
            totals = base.filter(pk__in=source.citizen_ids(user, int(choice_id))).aggregate(
                audience=Count("id", distinct=True),
                recipients=Count("id", filter=messageable(), distinct=True),
            )
            sizes.append(
                SourceSize(
                    source=str(source.label),
                    choice=labels.get(int(choice_id), f"#{choice_id}"),
                    audience=totals["audience"] or 0,
                    recipients=totals["recipients"] or 0,
                )
            )
    return sizes


_FANOUT_COLUMNS = (
    "broadcast_id, citizen_id, purpose, station_id, parameters, text, status, not_before, "
    "defer_reason, attempts, error_title, created_at"
)


# Whether the broadcast already has deliveries, locking its row on PostgreSQL (see fan_out).
_PROBE = (
    "SELECT EXISTS (SELECT 1 FROM broadcasts_delivery d WHERE d.broadcast_id = b.id) "
    "FROM broadcasts_broadcast b WHERE b.id = %s"
)
_PROBE_LOCKED = _PROBE + " FOR NO KEY UPDATE OF b"


def fan_out(broadcast: Broadcast) -> int:
    """Insert one pending delivery per messageable recipient in one INSERT ... SELECT.

    Idempotent: unique (broadcast, citizen) and ON CONFLICT DO NOTHING mean a second run adds
    nothing. Returns the number of deliveries the broadcast has afterwards.

    The broadcast's row is locked first (FOR NO KEY UPDATE: two fan-outs of one broadcast
    queue, and a raw DELETE of the broadcast waits for this one to commit and then meets the
    outbox's delete trigger). Under that lock, a broadcast that had no deliveries before has
    exactly the rows this INSERT reports, so the count over a 1M-row broadcast right after
    inserting it is only paid when re-running a fan-out that had already inserted rows.
    """
    recipients = (
        audience_queryset(broadcast)
        .filter(messageable())
        .values("id", "marketing_capped_at")
        .order_by()
    )
    try:
        select_sql, params = recipients.query.sql_with_params()
    except EmptyResultSet:  # a named audience that can select nobody (e.g. unregistered)
        return Delivery.objects.filter(broadcast=broadcast).count()
    now = timezone.now()
    # WhatsApp's per-person marketing cap (131049): a citizen capped in the last 24 hours gets
    # no marketing now (a `capped` row, never sent); those capped before come first (lowest
    # ids are claimed first, and the messaging-limit tier defers the tail): fair rotation.
    capped_since = now - timedelta(hours=MARKETING_CAP_WAIT_HOURS)
    # Only marketing counts towards the cap (the template's category, read in the statement).
    recently_capped = (
        "r.marketing_capped_at > %s AND (SELECT t.category FROM broadcasts_messagetemplate t "
        "WHERE t.id = %s) = %s"
    )
    capped_params: list[Any] = [
        capped_since,
        broadcast.template_id,
        MessageTemplate.Category.MARKETING.value,
    ]
    # The SELECT's columns are the citizen id and capped time; the constants come first as
    # parameters. select_sql is compiled by Django with its parameters bound separately.
    sql = (
        f"INSERT INTO broadcasts_delivery ({_FANOUT_COLUMNS}) "  # noqa: S608
        "SELECT %s, r.id, 'broadcast', NULL, '[]', '', "
        f"CASE WHEN {recently_capped} THEN 'capped' ELSE 'pending' END, %s, '', 0, "
        f"CASE WHEN {recently_capped} THEN 'capped in the last 24 hours' ELSE '' END, %s "
        f"FROM ({select_sql}) AS r WHERE true "  # SQLite needs a WHERE before ON CONFLICT
        "ORDER BY r.marketing_capped_at IS NULL, r.marketing_capped_at, r.id "
        "ON CONFLICT DO NOTHING"
    )
    postgresql = connection.vendor == "postgresql"
    probe = _PROBE_LOCKED if postgresql else _PROBE
    # savepoint=False: no extra statements inside the caller's transaction; alone, this is
    # one transaction so the lock is held until the rows are committed.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(probe, [broadcast.pk])
        found = cursor.fetchone()
        had_deliveries = found is None or bool(found[0])
        cursor.execute(sql, [broadcast.pk, *capped_params, now, *capped_params, now, *params])
        inserted = int(cursor.rowcount)
    if not had_deliveries:
        return inserted
    return Delivery.objects.filter(broadcast=broadcast).count()


def recipients_in_last_day() -> int:
    """Unique citizens messaged (business-initiated) in the moving 24 hours: the tier's count."""
    since = timezone.now() - timedelta(hours=24)
    return (
        Delivery.objects.filter(sent_at__gte=since)
        .exclude(status__in=[DeliveryStatus.FAILED, DeliveryStatus.CAPPED])
        .values("citizen_id")
        .distinct()
        .count()
    )


def funnel(broadcast: Broadcast) -> dict[str, int]:
    """Counts per delivery status, and failures per error code, for the dashboard."""
    counts = dict(
        Delivery.objects.filter(broadcast=broadcast)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {status.value: counts.get(status.value, 0) for status in DeliveryStatus}


def failures_by_reason(broadcast: Broadcast) -> list[tuple[int | None, str, int]]:
    """(error code, one title, count) for failed deliveries, most common first."""
    rows = (
        Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.FAILED)
        .values("error_code")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    titles = dict(
        Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.FAILED)
        .exclude(error_title="")
        .values_list("error_code", "error_title")
        .distinct("error_code")
        .order_by("error_code")
        if connection.vendor == "postgresql"
        else []
    )
    return [(r["error_code"], titles.get(r["error_code"], ""), r["n"]) for r in rows]


def reached_filter() -> Q:
    return Q(status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.READ])
