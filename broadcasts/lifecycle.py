"""A broadcast's status machine and every write that moves it (one transaction, one audit row).

    draft -> awaiting_approval -> scheduled -> preparing -> sending -> completed
      |             |                |                        |  ^
      +-------------+----------------+---> cancelled          v  |
                                                           paused
    sending -> stopped (a stop-and-alert error from WhatsApp; an officer must look)

Broadcasts above settings.BROADCAST_APPROVAL_THRESHOLD recipients need a second authorised
officer's approval (maker-checker): a stolen account alone cannot message 50,000 people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import Role, User
from accounts.services import record_event
from broadcasts import audience, audience_sources
from broadcasts.models import Broadcast, Delivery, DeliveryStatus, MessageTemplate
from people.models import Tag
from stations.models import District, Station

S = Broadcast.Status

ALLOWED = {
    S.DRAFT: {S.AWAITING_APPROVAL, S.SCHEDULED, S.RECURRING, S.CANCELLED},
    S.AWAITING_APPROVAL: {S.SCHEDULED, S.RECURRING, S.DRAFT, S.CANCELLED},
    S.RECURRING: {S.PAUSED, S.CANCELLED},
    S.SCHEDULED: {S.PREPARING, S.CANCELLED},
    S.PREPARING: {S.SENDING, S.CANCELLED},
    S.SENDING: {S.PAUSED, S.COMPLETED, S.CANCELLED, S.STOPPED},
    S.PAUSED: {S.SENDING, S.RECURRING, S.CANCELLED},
    S.STOPPED: {S.SENDING, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
BROADCAST_ROLES = (Role.CYBER_CELL, Role.DISTRICT_HEAD)


class TransitionNotAllowed(ValidationError):
    pass


def districts_user_may_broadcast_to(user: User) -> set[int]:
    """District ids where the user runs broadcasts (cyber cell, district head; admins: all)."""
    if access.is_system_admin(user):
        return set(District.objects.values_list("id", flat=True))
    return {
        p.district_id
        for p in access.active_postings(user)
        if p.role in BROADCAST_ROLES and p.district_id is not None
    }


def _require_broadcaster(user: User, district_id: int) -> None:
    if district_id not in districts_user_may_broadcast_to(user):
        raise PermissionDenied(_("Only the district's cyber cell or head may do this."))


def _move(broadcast: Broadcast, to: Broadcast.Status, *, reason: str = "") -> None:
    """Change status if the machine allows it (row already locked by the caller)."""
    if to not in ALLOWED[Broadcast.Status(broadcast.status)]:
        raise TransitionNotAllowed(
            _("A broadcast that is %(current)s cannot become %(new)s.")
            % {"current": broadcast.get_status_display(), "new": Broadcast.Status(to).label}
        )
    broadcast.status = to
    broadcast.status_reason = reason[:300]


def _locked(broadcast: Broadcast) -> Broadcast:
    return Broadcast.objects.select_for_update().get(pk=broadcast.pk)


def _audit(broadcast: Broadcast, action: str, by: User | None, **data: object) -> None:
    record_event(
        actor=by,
        action=f"broadcasts.broadcast.{action}",
        target=broadcast,
        data={k: v for k, v in data.items() if v not in (None, "")},
        district=broadcast.district,
    )


@transaction.atomic
def create_broadcast(
    *,
    district: District,
    title: str,
    template: MessageTemplate,
    parameters: list[str],
    by: User,
    stations: Iterable[Station] = (),
    tags: Iterable[Tag] = (),
    languages: Iterable[str] = (),
    topic: str = "",
    recurrence: str = "",
    send_time: dt.time | None = None,
    sources: Mapping[str, list[int]] | None = None,
) -> Broadcast:
    """A draft broadcast to the district's consenting citizens, narrowed by the filters.

    `sources` names audiences from broadcasts.audience_sources ({"list": [4]}): the broadcast
    then reaches only citizens of the district who are in at least one of them. Each id must be
    one the maker may pick, and a choice tied to a district must be of this district.

    With recurrence 'daily' it is a series: once approved, one run goes out every day at
    `send_time`, carrying that day's content-calendar message when there is one.
    """
    _require_broadcaster(by, district.pk)
    if recurrence == Broadcast.Recurrence.DAILY and send_time is None:
        raise ValidationError(_("A daily broadcast needs a sending time."))
    if template.status != MessageTemplate.Status.APPROVED:
        raise ValidationError(_("Only templates approved by WhatsApp can be broadcast."))
    if len(parameters) != template.parameter_count:
        raise ValidationError(
            _("This template needs %(n)d value(s).") % {"n": template.parameter_count}
        )
    stations = list(stations)
    if any(s.district_id != district.pk for s in stations):
        raise ValidationError(_("Every station must belong to the broadcast's district."))
    chosen = _checked_sources(by, district, sources or {})
    broadcast = Broadcast.objects.create(
        district=district,
        title=title.strip(),
        template=template,
        parameters=[str(p) for p in parameters],
        topic=topic,
        audience_languages=sorted(set(languages)),
        audience_sources=chosen,
        created_by=by,
        recurrence=recurrence,
        send_time=send_time if recurrence else None,
    )
    broadcast.audience_stations.set(stations)
    broadcast.audience_tags.set(list(tags))
    _audit(broadcast, "created", by, recipients=audience.preview(broadcast).recipients)
    return broadcast


def _checked_sources(
    user: User, district: District, selected: Mapping[str, list[int]]
) -> dict[str, list[int]]:
    """The named audiences normalised, or ValidationError for any the user may not use."""
    try:
        chosen = audience_sources.validate(user, selected)
    except (audience_sources.UnknownAudience, TypeError, ValueError) as error:
        raise ValidationError(_("That audience is not available to you.")) from error
    for key, ids in chosen.items():
        source = audience_sources.get(key)
        assert source is not None  # validate() checked it
        districts = {c.id: c.district_id for c in source.choices(user)}
        if any(districts.get(i) not in (None, district.pk) for i in ids):
            raise ValidationError(
                _("%(source)s: pick only audiences of the broadcast's district.")
                % {"source": source.label}
            )
    return chosen


@transaction.atomic
def submit_broadcast(
    *, broadcast: Broadcast, by: User, send_at: dt.datetime | None = None
) -> Broadcast:
    """Ask to send (now or at `send_at`): scheduled at once when small, else awaits approval."""
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    if send_at is not None and send_at < timezone.now() - dt.timedelta(minutes=1):
        raise ValidationError(_("The sending time is in the past."))
    broadcast.scheduled_for = send_at or timezone.now()
    shown = audience.preview(broadcast)
    if shown.recipients == 0:
        raise ValidationError(_("Nobody would receive this broadcast: the audience is empty."))
    broadcast.recipient_count = shown.recipients
    broadcast.suppressed_count = shown.suppressed
    approved_state = S.RECURRING if broadcast.recurrence else S.SCHEDULED
    target = S.AWAITING_APPROVAL if shown.needs_approval else approved_state
    _move(broadcast, target)
    broadcast.save()
    if target == S.RECURRING:
        install_series_schedule(broadcast)
    _audit(broadcast, "submitted", by, recipients=shown.recipients, status=target.value)
    return broadcast


@transaction.atomic
def approve_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """The checker's approval: another authorised officer of the same district."""
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    if by.pk == broadcast.created_by_id:
        raise PermissionDenied(_("The officer who created a broadcast cannot approve it."))
    _move(broadcast, S.RECURRING if broadcast.recurrence else S.SCHEDULED)
    broadcast.approved_by = by
    broadcast.save()
    if broadcast.recurrence:
        install_series_schedule(broadcast)
    _audit(broadcast, "approved", by)
    return broadcast


@transaction.atomic
def return_to_draft(*, broadcast: Broadcast, by: User, reason: str) -> Broadcast:
    """The checker sends it back with a reason."""
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    if not reason.strip():
        raise ValidationError(_("Say why the broadcast goes back to its maker."))
    _move(broadcast, S.DRAFT, reason=reason)
    broadcast.save()
    _audit(broadcast, "returned", by, reason=reason)
    return broadcast


def start_due_broadcasts(*, now: dt.datetime | None = None) -> list[int]:
    """Fan out every scheduled broadcast whose time has come; returns their ids."""
    now = now or timezone.now()
    due = list(
        Broadcast.objects.filter(status=S.SCHEDULED, scheduled_for__lte=now).values_list(
            "id", flat=True
        )
    )
    started = []
    for broadcast_id in due:
        if start_broadcast(broadcast_id=broadcast_id):
            started.append(broadcast_id)
    return started


def start_broadcast(*, broadcast_id: int) -> bool:
    """scheduled -> preparing -> (fan-out) -> sending. Safe to call twice: only one wins."""
    with transaction.atomic():
        won = Broadcast.objects.filter(pk=broadcast_id, status=S.SCHEDULED).update(
            status=S.PREPARING, started_at=timezone.now()
        )
    if not won:
        return False
    broadcast = Broadcast.objects.select_related("district").get(pk=broadcast_id)
    with transaction.atomic():
        count = audience.fan_out(broadcast)
        Broadcast.objects.filter(pk=broadcast_id, status=S.PREPARING).update(
            status=S.SENDING, recipient_count=count
        )
    _audit(broadcast, "started", None, deliveries=count)
    return True


@transaction.atomic
def pause_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    _move(broadcast, S.PAUSED)
    broadcast.save()
    _set_schedule_enabled(broadcast, False)
    _audit(broadcast, "paused", by)
    return broadcast


@transaction.atomic
def resume_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    _move(broadcast, S.RECURRING if broadcast.recurrence else S.SENDING)
    broadcast.save()
    _set_schedule_enabled(broadcast, True)
    _audit(broadcast, "resumed", by)
    return broadcast


@transaction.atomic
def cancel_broadcast(*, broadcast: Broadcast, by: User, reason: str = "") -> Broadcast:
    """Stop for good: deliveries not yet sent are skipped (those in flight finish)."""
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    _move(broadcast, S.CANCELLED, reason=reason)
    broadcast.finished_at = timezone.now()
    broadcast.save()
    _set_schedule_enabled(broadcast, False)
    skipped = Delivery.objects.filter(broadcast=broadcast, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SKIPPED, error_title="cancelled"
    )
    _audit(broadcast, "cancelled", by, reason=reason, skipped=skipped)
    return broadcast


def stop_broadcast(*, broadcast_id: int, code: int | None, reason: str) -> bool:
    """WhatsApp said stop-and-alert (template paused, token expired, ...): stop and tell."""
    with transaction.atomic():
        stopped = Broadcast.objects.filter(pk=broadcast_id, status=S.SENDING).update(
            status=S.STOPPED, status_reason=f"{code}: {reason}"[:300]
        )
    if stopped:
        broadcast = Broadcast.objects.get(pk=broadcast_id)
        _audit(broadcast, "stopped", None, code=code, reason=reason)
    return bool(stopped)


def complete_if_done(*, broadcast_id: int) -> bool:
    """sending -> completed when no delivery is pending, in flight or in doubt."""
    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN]
    with transaction.atomic():
        if Delivery.objects.filter(broadcast_id=broadcast_id, status__in=open_statuses).exists():
            return False
        done = Broadcast.objects.filter(pk=broadcast_id, status=S.SENDING).update(
            status=S.COMPLETED, finished_at=timezone.now()
        )
    if done:
        _audit(Broadcast.objects.get(pk=broadcast_id), "completed", None)
    return bool(done)


def in_quiet_hours(moment: dt.datetime | None = None) -> bool:
    """True inside settings.BROADCAST_QUIET_HOURS (local time; e.g. 21:00-08:00)."""
    window = settings.BROADCAST_QUIET_HOURS
    if not window:
        return False
    local = timezone.localtime(moment or timezone.now()).time()
    start_text, end_text = window.split("-")
    start, end = dt.time.fromisoformat(start_text), dt.time.fromisoformat(end_text)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


# --- recurring series ------------------------------------------------------------------------


def install_series_schedule(series: Broadcast) -> None:
    """A django-celery-beat crontab (Asia/Kolkata) that launches the series every day."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    assert series.send_time is not None
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(series.send_time.minute),
        hour=str(series.send_time.hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task, _created = PeriodicTask.objects.update_or_create(
        name=f"broadcast-series-{series.pk}",
        defaults={
            "task": "broadcasts.launch_series_run",
            "crontab": crontab,
            "args": f"[{series.pk}]",
            "enabled": True,
            "description": series.title[:200],
        },
    )
    Broadcast.objects.filter(pk=series.pk).update(periodic_task=task)
    series.periodic_task = task


def _set_schedule_enabled(broadcast: Broadcast, enabled: bool) -> None:
    if broadcast.periodic_task_id is not None:
        from django_celery_beat.models import PeriodicTask

        PeriodicTask.objects.filter(pk=broadcast.periodic_task_id).update(enabled=enabled)


def launch_series_run(*, series_id: int, run_date: dt.date | None = None) -> Broadcast | None:
    """Today's run of an approved daily series (created once; the dispatcher sends it).

    The run carries the content calendar's message for its district and date when one with
    an approved template exists, else the series' own message.
    """
    from broadcasts.models import CampaignDay

    run_date = run_date or timezone.localdate()
    with transaction.atomic():
        series = Broadcast.objects.select_for_update().filter(pk=series_id).first()
        if series is None or series.status != S.RECURRING:
            return None
        existing = Broadcast.objects.filter(series=series, run_date=run_date).first()
        if existing is not None:
            return existing
        day = (
            CampaignDay.objects.filter(
                district_id=series.district_id,
                date=run_date,
                template__status=MessageTemplate.Status.APPROVED,
            )
            .select_related("template")
            .first()
        )
        run = Broadcast.objects.create(
            district_id=series.district_id,
            title=f"{series.title} · {run_date:%d %b %Y}",
            template=day.template if day else series.template,
            parameters=day.parameters if day else series.parameters,
            topic=day.topic if day else series.topic,
            audience_languages=series.audience_languages,
            audience_sources=series.audience_sources,
            status=S.SCHEDULED,
            scheduled_for=timezone.now(),
            created_by_id=series.created_by_id,
            approved_by_id=series.approved_by_id,
            series=series,
            run_date=run_date,
        )
        run.audience_stations.set(series.audience_stations.all())
        run.audience_tags.set(series.audience_tags.all())
    _audit(run, "series_run_created", None, series=series.pk, calendar=bool(day))
    return run
