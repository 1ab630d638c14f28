"""The WhatsApp engine's tables: templates, broadcasts, the delivery outbox, webhook events.

Every outgoing WhatsApp message, whether one of a 50,000-recipient broadcast or a single group
invite, is one `Delivery` row. Workers claim rows, send them through the provider and record
the outcome; status webhooks move them forward, never backward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from people.models import Citizen, Tag
from stations.models import District, Station

_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
_VERSION_SUFFIX = re.compile(r"[_\s-]+v?\d+$", re.IGNORECASE)


def humanise_template_name(name: str) -> str:
    """'cyber_fraud_alert_v3' -> 'Cyber fraud alert' (Meta's names are lower_snake_case ids)."""
    words = _VERSION_SUFFIX.sub("", name.strip()) or name.strip()
    words = re.sub(r"[_\s-]+", " ", words).strip()
    return words[:1].upper() + words[1:]


def language_name(code: str) -> str:
    """A template's language in the reader's language: 'hi' -> 'Hindi', 'en_US' -> 'English'."""
    normalised = code.strip().replace("_", "-").lower()
    for candidate in (normalised, normalised.split("-")[0]):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return code


@dataclass(frozen=True)
class TemplatePart:
    """A stretch of a template's body: plain text, or variable `index` (1-based) with its label."""

    text: str
    index: int | None = None
    label: str = ""
    value: str = ""


class MessageTemplate(models.Model):
    """A WhatsApp message template as Meta knows it (synced) or as the sandbox defines it."""

    class Category(models.TextChoices):
        MARKETING = "MARKETING", _("Marketing (awareness)")
        UTILITY = "UTILITY", _("Utility")
        AUTHENTICATION = "AUTHENTICATION", _("Authentication")

    class Status(models.TextChoices):
        APPROVED = "APPROVED", _("Approved")
        PENDING = "PENDING", _("Pending review")
        REJECTED = "REJECTED", _("Rejected")
        PAUSED = "PAUSED", _("Paused")
        DISABLED = "DISABLED", _("Disabled")

    name = models.CharField(_("name"), max_length=512)
    language = models.CharField(_("language code"), max_length=16)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    body = models.TextField(_("body"), help_text=_("Text with parameters {{1}}, {{2}}, ..."))
    parameter_count = models.PositiveSmallIntegerField(_("number of parameters"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True)
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    # What officers see instead of Meta's identifier; empty: the name, humanised.
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    # What each {{n}} stands for, in order: kept across syncs (Meta has no such field).
    parameter_labels = models.JSONField(
        _("parameter labels"),
        default=list,
        blank=True,
        help_text=_('What each parameter means, in order, e.g. ["District", "Helpline number"].'),
    )
    # Meta's sample value for each {{n}} (the BODY component's example), from the sync.
    parameter_examples = models.JSONField(_("parameter examples"), default=list, blank=True)

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="template_name_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"

    def render(self, parameters: list[str]) -> str:
        """The body with {{n}} replaced by the parameters (what the citizen will read)."""
        text = self.body
        for index, value in enumerate(parameters, start=1):
            text = text.replace("{{" + str(index) + "}}", value)
        return text

    def human_name(self) -> str:
        """'Cyber fraud alert' for cyber_fraud_alert_v3 (or the display name set for it)."""
        return self.display_name.strip() or humanise_template_name(self.name)

    def language_name(self) -> str:
        return language_name(self.language)

    def display_label(self) -> str:
        """'Cyber fraud alert (Hindi)': the template as officers pick it."""
        return f"{self.human_name()} ({self.language_name()})"

    def variable_examples(self) -> list[str]:
        examples = [str(e) for e in self.parameter_examples or []]
        return (examples + [""] * self.parameter_count)[: self.parameter_count]

    def variable_labels(self) -> list[str]:
        """What each {{n}} means, for its form box: the stored label, else 'Value n'."""
        stored = [str(label).strip() for label in self.parameter_labels or []]
        labels = []
        for index in range(1, self.parameter_count + 1):
            label = stored[index - 1] if index <= len(stored) else ""
            # Stored labels are data; the seeded ones are also in the catalogue (gettext_noop).
            labels.append(gettext(label) if label else gettext("Value %(n)d") % {"n": index})
        return labels

    def parts(self, parameters: list[str] | None = None) -> list[TemplatePart]:
        """The body cut at its variables, each labelled (and filled, when a value is given)."""
        labels = self.variable_labels()
        values = parameters or []
        result: list[TemplatePart] = []
        position = 0
        for match in _PLACEHOLDER.finditer(self.body):
            if match.start() > position:
                result.append(TemplatePart(text=self.body[position : match.start()]))
            index = int(match.group(1))
            label = (
                labels[index - 1]
                if 0 < index <= len(labels)
                else gettext("Value %(n)d") % {"n": index}
            )
            value = values[index - 1].strip() if 0 < index <= len(values) else ""
            result.append(TemplatePart(text=match.group(0), index=index, label=label, value=value))
            position = match.end()
        if position < len(self.body):
            result.append(TemplatePart(text=self.body[position:]))
        return result


class Broadcast(models.Model):
    """One awareness message sent to an audience of citizens."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being composed; audience may change
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")  # maker-checker
        SCHEDULED = "scheduled", _("Scheduled")  # approved; waits for its time
        PREPARING = "preparing", _("Preparing recipients")  # fan-out into deliveries running
        SENDING = "sending", _("Sending")  # deliveries being claimed and sent
        PAUSED = "paused", _("Paused")  # nothing is claimed until resumed
        COMPLETED = "completed", _("Completed")  # every delivery reached a final state
        CANCELLED = "cancelled", _("Cancelled")  # remaining deliveries skipped
        STOPPED = "stopped", _("Stopped by an error")  # provider said stop-and-alert
        RECURRING = "recurring", _("Recurring")  # an approved daily series: spawns one run a day

    class Recurrence(models.TextChoices):
        ONCE = "", _("Once")
        DAILY = "daily", _("Every day")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="broadcasts")
    title = models.CharField(_("title"), max_length=200)
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(_("template parameters"), default=list, blank=True)
    topic = models.CharField(_("topic"), max_length=40, blank=True)
    audience_stations = models.ManyToManyField(Station, blank=True, related_name="+")
    audience_tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    audience_languages = models.JSONField(_("languages"), default=list, blank=True)
    # Named audiences from broadcasts.audience_sources: {"<source key>": [choice ids]}, e.g.
    # {"list": [4], "community_group": [7, 9]}. Empty: the whole district (after the filters).
    audience_sources = models.JSONField(_("audience sources"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    suppressed_count = models.PositiveIntegerField(_("suppressed"), default=0)
    recurrence = models.CharField(
        _("repeat"), max_length=10, choices=Recurrence.choices, default="", blank=True
    )
    send_time = models.TimeField(_("daily sending time"), null=True, blank=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The schedule that launches each day's run (editable in the admin)."),
    )
    series = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    run_date = models.DateField(_("run date"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        constraints = [
            models.CheckConstraint(
                name="broadcast_checker_is_not_maker",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
            ),
            models.UniqueConstraint(
                fields=["series", "run_date"],
                condition=Q(series__isnull=False),
                name="broadcast_one_run_per_series_day",
            ),
            models.CheckConstraint(
                name="broadcast_daily_has_time",
                condition=~Q(recurrence="daily") | Q(send_time__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignDay(models.Model):
    """The content calendar: which message a district's daily broadcast carries on a date."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=40)
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="+")
    parameters = models.JSONField(_("template parameters"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("campaign day")
        verbose_name_plural = _("content calendar")
        constraints = [
            models.UniqueConstraint(fields=["district", "date"], name="campaign_day_per_district")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class DeliveryStatus(models.TextChoices):
    """A delivery's life; statuses only move up the RANK order (webhooks are unordered)."""

    PENDING = "pending", _("Pending")  # waiting to be claimed (maybe deferred: not_before)
    SENDING = "sending", _("Sending")  # claimed by a worker, request under way
    UNKNOWN = "unknown", _("Unknown")  # worker died mid-send: reconciled by webhook, not resent
    SENT = "sent", _("Sent")  # accepted by WhatsApp
    DELIVERED = "delivered", _("Delivered")  # reached the phone
    READ = "read", _("Read")  # opened
    FAILED = "failed", _("Failed")  # final: error code recorded
    SKIPPED = "skipped", _("Skipped")  # final: opted out / erased / cancelled before sending
    # final: WhatsApp's per-person marketing cap (131049): not the citizen's or our list's
    # fault; offered again first in a later broadcast, never twice within 24 hours
    CAPPED = "capped", _("Capped by WhatsApp")


# Higher rank wins. FAILED, CAPPED and SKIPPED are final: nothing moves a delivery out of them,
# and FAILED or CAPPED may overtake SENT (a later 'failed' webhook) but not DELIVERED or READ.
STATUS_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENDING: 1,
    DeliveryStatus.UNKNOWN: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.FAILED: 3,
    DeliveryStatus.CAPPED: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.READ: 5,
    DeliveryStatus.SKIPPED: 6,
}
FINAL_STATUSES = frozenset(
    {
        DeliveryStatus.READ,
        DeliveryStatus.FAILED,
        DeliveryStatus.CAPPED,
        DeliveryStatus.SKIPPED,
        DeliveryStatus.DELIVERED,
    }
)


class Delivery(models.Model):
    """One WhatsApp message to one citizen: the outbox row."""

    # Indexes are kept to what queries use: every one costs each of a broadcast's 50,000
    # inserts and status updates. (broadcast, status) covers look-ups by broadcast.
    # broadcast and citizen have no per-row foreign-key constraint (db_constraint=False): a
    # 1M-row fan-out would queue 2M row-by-row RI checks. PostgreSQL triggers (migration
    # 0005_delivery_set_based_integrity) check each INSERT's rows set-based, and refuse
    # repointing a delivery or deleting a parent it refers to; on_delete is the ORM's, as
    # before. See docs/decisions.md, "The outbox's broadcast and citizen references are
    # checked set-based, not per row".
    broadcast = models.ForeignKey(
        Broadcast,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        db_index=False,
        db_constraint=False,
    )
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="deliveries", db_constraint=False
    )
    purpose = models.CharField(_("purpose"), max_length=40, default="broadcast")
    # Set for single messages (invites, acknowledgements); a broadcast's are the citizen's.
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # checked set-based (migration 0006), like citizen and broadcast
    )
    template = models.ForeignKey(
        MessageTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    parameters = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, help_text=_("Free text, only inside the 24-hour window."))
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    not_before = models.DateTimeField(default=timezone.now)
    defer_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    wamid = models.CharField(max_length=128, null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["broadcast", "citizen"],
                condition=Q(broadcast__isnull=False),
                name="delivery_once_per_broadcast_citizen",
            ),
            models.UniqueConstraint(
                fields=["wamid"], condition=Q(wamid__isnull=False), name="delivery_wamid_unique"
            ),
            models.CheckConstraint(
                name="delivery_has_content",
                condition=Q(broadcast__isnull=False) | Q(template__isnull=False) | ~Q(text=""),
            ),
        ]
        indexes = [
            # The claim query: ready rows of one broadcast (or of the single-message stream).
            models.Index(
                fields=["broadcast", "not_before"],
                condition=Q(status="pending"),
                name="delivery_ready_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status__in=["sending", "unknown"]),
                name="delivery_in_doubt_idx",
            ),
            models.Index(fields=["broadcast", "status"], name="delivery_broadcast_status_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.status})"


class WebhookEvent(models.Model):
    """A webhook POST exactly as received (signature verified), processed by a task."""

    received_at = models.DateTimeField(auto_now_add=True)
    body_sha256 = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # What could not be read ([{"where": "entry[0].changes[1].value.statuses[2]", "why": ...}]):
    # the rest of the event was applied, and the event is never retried for it.
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"webhook {self.pk} @ {self.received_at:%Y-%m-%d %H:%M:%S}"


class SandboxMessage(models.Model):
    """What the sandbox provider 'sent': shown on the sandbox phone page in embedded mode."""

    created_at = models.DateTimeField(auto_now_add=True)
    to = models.CharField(max_length=140, db_index=True)
    wamid = models.CharField(max_length=128, unique=True)
    template_name = models.CharField(max_length=512, blank=True)
    language = models.CharField(max_length=16, blank=True)
    body = models.TextField()
    callback_data = models.CharField(max_length=512, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sandbox message")
        verbose_name_plural = _("sandbox messages")

    def __str__(self) -> str:
        return f"to {self.to}: {self.body[:40]}"


class UnmatchedStatus(models.Model):
    """A status webhook that named no delivery we know yet, kept until it can be applied.

    It arrives by wamid alone before the sender has recorded that wamid (WhatsApp's webhooks
    are unordered and may overtake the send's answer), or for a row whose worker died before
    recording anything. The recorder applies it when the wamid is stored; the reaper matches it
    to an `unknown` row of the same recipient before anything decides that row was never sent.
    """

    wamid = models.CharField(max_length=128, db_index=True)
    recipient_id = models.CharField(max_length=64, blank=True)  # wa_id (or a user id)
    status = models.CharField(max_length=12)
    timestamp = models.DateTimeField()
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("unmatched status")
        verbose_name_plural = _("unmatched statuses")
        indexes = [
            models.Index(fields=["recipient_id", "timestamp"], name="unmatched_recipient_idx")
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.wamid}"


class WhatsAppNumber(models.Model):
    """What WhatsApp last said of a business number: quality, messaging tier, throughput.

    From `phone_number_quality_update` webhooks. Since October 2025 the messaging limit
    (unique recipients per moving 24 h) belongs to the business portfolio and is shared by its
    numbers; the sender defers by the latest limit WhatsApp announced for our account, and
    WHATSAPP_MESSAGING_LIMIT only until WhatsApp has said one.
    """

    display_phone_number = models.CharField(_("number"), max_length=20, unique=True)
    business_account_id = models.CharField(_("business account"), max_length=64, blank=True)
    messaging_tier = models.CharField(_("messaging tier"), max_length=20, blank=True)
    # Unique recipients per 24 h the tier allows; 0: unlimited; None: not known.
    messaging_limit = models.PositiveIntegerField(_("messaging limit"), null=True, blank=True)
    flagged = models.BooleanField(_("quality flagged"), default=False)
    last_event = models.CharField(_("last event"), max_length=40, blank=True)
    throughput_upgraded = models.BooleanField(_("throughput upgraded"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("WhatsApp number")
        verbose_name_plural = _("WhatsApp numbers")

    def __str__(self) -> str:
        return self.display_phone_number
