"""A broadcast's status machine and every write that moves it (one transaction, one audit row).

    draft -> awaiting_approval -> scheduled -> preparing -> sending -> completed
      |             |                |                        |  ^
      +-------------+----------------+---> cancelled          v  |
                                                           paused
    sending -> stopped (a stop-and-alert error from WhatsApp; an officer must look)

A stop (broadcasts.halts) stops every sending broadcast of the number, or of the template, at
once, and tells each one's maker and checker (notification, dashboard, e-mail where set up) in
their language. A scheduled broadcast whose template WhatsApp has paused, disabled or rejected
does not start: it waits, saying why, and starts when the template is approved again.

Broadcasts above settings.BROADCAST_APPROVAL_THRESHOLD recipients need a second authorised
officer's approval (maker-checker): a stolen account alone cannot message 50,000 people.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access, notifications
from accounts.models import Notification, Role, User
from accounts.services import record_event
from broadcasts import audience, audience_sources, halts
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


TEMPLATE_NOT_APPROVED = gettext_lazy(
    "Waiting: WhatsApp has not approved the template (it is %(status)s). The broadcast "
    "starts by itself when the template is approved again."
)


def start_due_broadcasts(*, now: dt.datetime | None = None) -> list[int]:
    """Fan out every scheduled broadcast whose time has come; returns their ids.

    One whose template is not approved (paused, disabled, rejected by WhatsApp meanwhile)
    waits, with the reason shown; it starts on the first call after the template is approved.
    """
    now = now or timezone.now()
    due_rows = Broadcast.objects.filter(status=S.SCHEDULED, scheduled_for__lte=now)
    _explain_waiting(due_rows.exclude(template__status=MessageTemplate.Status.APPROVED))
    due = list(
        due_rows.filter(template__status=MessageTemplate.Status.APPROVED).values_list(
            "id", flat=True
        )
    )
    started = []
    for broadcast_id in due:
        if start_broadcast(broadcast_id=broadcast_id):
            started.append(broadcast_id)
    return started


def _explain_waiting(rows: QuerySet[Broadcast]) -> None:
    """Say on each waiting broadcast why it has not started (once, not every dispatch)."""
    for broadcast in rows.select_related("template").filter(status_reason=""):
        with_reason = TEMPLATE_NOT_APPROVED % {"status": broadcast.template.get_status_display()}
        Broadcast.objects.filter(pk=broadcast.pk, status=S.SCHEDULED).update(
            status_reason=str(with_reason)[:300]
        )


def start_broadcast(*, broadcast_id: int) -> bool:
    """scheduled -> preparing -> (fan-out) -> sending. Safe to call twice: only one wins."""
    with transaction.atomic():
        won = Broadcast.objects.filter(
            pk=broadcast_id,
            status=S.SCHEDULED,
            template__status=MessageTemplate.Status.APPROVED,
        ).update(status=S.PREPARING, started_at=timezone.now(), status_reason="")
    if not won:
        return False
    broadcast = Broadcast.objects.select_related("district").get(pk=broadcast_id)
    with transaction.atomic():
        count = audience.fan_out(broadcast)
        # The funnel's "suppressed" is the preview's; recipients the preview counted who are no
        # longer messageable (opted out since) are suppressed too, not lost from the figures.
        suppressed = broadcast.suppressed_count + max(0, broadcast.recipient_count - count)
        Broadcast.objects.filter(pk=broadcast_id, status=S.PREPARING).update(
            status=S.SENDING, recipient_count=count, suppressed_count=suppressed
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
    """Paused or stopped -> sending again: every delivery not yet sent is claimed again.

    After a stop the officer says the cause is fixed (a new token, the template approved):
    the halts of the number and of the template are lifted, and a template WhatsApp paused
    must be approved again first.
    """
    broadcast = _locked(broadcast)
    _require_broadcaster(by, broadcast.district_id)
    was_stopped = broadcast.status == S.STOPPED
    if was_stopped and broadcast.template.status != MessageTemplate.Status.APPROVED:
        raise ValidationError(
            _(
                "WhatsApp has not approved the template again yet (it is %(status)s): "
                "resume when it is approved (the template list shows it after a sync)."
            )
            % {"status": broadcast.template.get_status_display()}
        )
    _move(broadcast, S.RECURRING if broadcast.recurrence else S.SENDING)
    broadcast.status_reason = ""
    broadcast.save()
    _set_schedule_enabled(broadcast, True)
    if was_stopped:
        template_id = broadcast.template_id
        transaction.on_commit(
            lambda: halts.clear_halts(sender_id=_sender_id(), template_ids=[template_id])
        )
    _audit(broadcast, "resumed", by, after_stop=was_stopped or None)
    return broadcast


def _sender_id() -> str:
    from broadcasts.providers import get_provider

    return get_provider().sender_id


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


# What an officer must do after each stop code (shown in the notification and on the page).
STOP_ADVICE = {
    190: gettext_lazy(
        "WhatsApp refused the portal's access token (expired or revoked). The administrator "
        "must set a new WHATSAPP_TOKEN; then resume the broadcast."
    ),
    131048: gettext_lazy(
        "WhatsApp limited the number because of spam reports. Sending on would make it worse: "
        "wait (usually a day), check that every recipient consented, then resume."
    ),
    132015: gettext_lazy(
        "WhatsApp paused the template for low quality (citizens blocked or reported it). It is "
        "released after a few hours; resume once the template list shows it approved again."
    ),
    132016: gettext_lazy(
        "WhatsApp disabled the template after repeated pauses. Create and get approved a new "
        "template, then send a new broadcast with it."
    ),
    133010: gettext_lazy(
        "The WhatsApp number is not registered with the Cloud API. The administrator must "
        "register it; then resume."
    ),
    131031: gettext_lazy(
        "WhatsApp locked the business account. The administrator must resolve it in WhatsApp "
        "Manager; then resume."
    ),
    368: gettext_lazy(
        "WhatsApp restricted the business account for a policy violation. The administrator "
        "must resolve it in WhatsApp Manager; then resume."
    ),
}
STOPPED_TITLE = gettext_lazy("Broadcast stopped by WhatsApp: %(title)s")
STOPPED_BODY = gettext_lazy(
    "%(sent)s of %(total)s messages were sent; the other %(left)s are kept and go out when "
    "you resume. WhatsApp said: %(code)s %(reason)s. %(advice)s"
)
SENT_OR_LATER = [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ]
TEMPLATE_STATUS_TITLE = gettext_lazy("WhatsApp changed a template: %(template)s is %(status)s")


def stop_advice(broadcast: Broadcast) -> str:
    """What to do about a stopped broadcast's cause ('' when there is no advice for it)."""
    code_text = broadcast.status_reason.partition(":")[0].strip()
    if broadcast.status != S.STOPPED or not code_text.isdigit():
        return ""
    return str(STOP_ADVICE.get(int(code_text), ""))


def stop_for_halt(*, halt: halts.Halt) -> list[int]:
    """Stop every sending broadcast the halt concerns (the number's, or the template's);
    returns the ids this call stopped (others may already have)."""
    rows = Broadcast.objects.filter(status=S.SENDING)
    if halt.scope == "template":
        rows = rows.filter(template_id=halt.template_id)
        _mark_template_from_code(halt)
    return [
        broadcast_id
        for broadcast_id in rows.values_list("id", flat=True)
        if stop_broadcast(broadcast_id=broadcast_id, code=halt.code, reason=halt.reason)
    ]


def _mark_template_from_code(halt: halts.Halt) -> None:
    """132015/132016 say the template is paused/disabled before its webhook comes: block new
    broadcasts with it now (the webhook or a sync sets the exact status later)."""
    status = {132015: MessageTemplate.Status.PAUSED, 132016: MessageTemplate.Status.DISABLED}.get(
        halt.code or 0
    )
    if status is not None and halt.template_id is not None:
        MessageTemplate.objects.filter(
            pk=halt.template_id, status=MessageTemplate.Status.APPROVED
        ).update(status=status)


def stop_broadcast(*, broadcast_id: int, code: int | None, reason: str) -> bool:
    """WhatsApp said stop-and-alert (template paused, token expired, ...): stop and tell."""
    with transaction.atomic():
        stopped = Broadcast.objects.filter(pk=broadcast_id, status=S.SENDING).update(
            status=S.STOPPED, status_reason=f"{code}: {reason}"[:300]
        )
        if stopped:
            broadcast = Broadcast.objects.select_related("created_by", "approved_by").get(
                pk=broadcast_id
            )
            _audit(broadcast, "stopped", None, code=code, reason=reason)
    if stopped:
        # The other sender slots halt within a request; wait for their answers to be
        # recorded so the officers read true figures (sent, and what resume will send).
        _await_in_flight(broadcast_id, seconds=settings.WHATSAPP_STOP_SETTLE_SECONDS)
        _notify_stopped(broadcast, code=code, reason=reason)
    return bool(stopped)


def _await_in_flight(broadcast_id: int, *, seconds: float) -> None:
    """Until no row of the broadcast is claimed by a live sender (bounded: a slot whose
    worker died keeps its claim until the reaper; the summary then counts it as unsent)."""
    deadline = time.monotonic() + seconds
    lease = timezone.now() - dt.timedelta(seconds=settings.WHATSAPP_CLAIM_LEASE_SECONDS)
    in_flight = Delivery.objects.filter(
        broadcast_id=broadcast_id, status=DeliveryStatus.SENDING, claimed_at__gte=lease
    )
    while in_flight.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _notify_stopped(broadcast: Broadcast, *, code: int | None, reason: str) -> None:
    counts = Delivery.objects.filter(broadcast=broadcast).aggregate(
        total=Count("id"),
        sent=Count("id", filter=Q(status__in=SENT_OR_LATER)),
        unsent=Count("id", filter=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])),
    )
    notifications.notify(
        users=[broadcast.created_by, broadcast.approved_by],
        kind="broadcasts.broadcast.stopped",
        level=Notification.Level.DANGER,
        title=STOPPED_TITLE,
        body=STOPPED_BODY,
        params={
            "title": broadcast.title,
            "sent": f"{counts['sent']:,}",
            "total": f"{counts['total']:,}",
            "left": f"{counts['unsent']:,}",
            "code": code if code is not None else "",
            "reason": reason[:200],
            "advice": STOP_ADVICE.get(code or 0, ""),
        },
        url=reverse("broadcasts:detail", args=[broadcast.pk]),
    )


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
