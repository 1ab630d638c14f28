"""Users, their postings (role + unit), and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import District, State, Station


class User(AbstractUser):
    """A person who logs in: an officer, a cyber-cell operator, an NGO coordinator."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    rank = models.CharField(_("rank or designation"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class Role(models.TextChoices):
    """What a posting lets its holder do; the unit it is bound to follows from the role."""

    STATE_HQ = "state_hq", _("State HQ (women safety branch)")
    DISTRICT_HEAD = "district_head", _("Commissioner / SP and staff")
    CYBER_CELL = "cyber_cell", _("District cyber cell")
    STATION_IC = "station_ic", _("Station in-charge")
    STATION_OFFICER = "station_officer", _("Station officer")
    SHAKTI_INCHARGE = "shakti_incharge", _("Mission Shakti in-charge")
    NGO_COORDINATOR = "ngo_coordinator", _("NGO coordinator")


STATE_ROLES = frozenset({Role.STATE_HQ})
DISTRICT_ROLES = frozenset({Role.DISTRICT_HEAD, Role.CYBER_CELL})
STATION_ROLES = frozenset({Role.STATION_IC, Role.STATION_OFFICER, Role.SHAKTI_INCHARGE})
NGO_ROLES = frozenset({Role.NGO_COORDINATOR})


def _only(*fields: str) -> Q:
    """Q that holds when exactly the named unit fields are set."""
    condition = Q()
    for name in ("state", "district", "station"):
        condition &= Q(**{f"{name}__isnull": name not in fields})
    return condition


class Posting(models.Model):
    """A user's assignment: a role at one unit. A user may hold several postings."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="postings")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty while the posting lasts.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            # The unit must match the role: a station role names a station and nothing else, ...
            models.CheckConstraint(
                name="posting_unit_matches_role",
                condition=(
                    (Q(role__in=sorted(r.value for r in STATE_ROLES)) & _only("state"))
                    | (Q(role__in=sorted(r.value for r in DISTRICT_ROLES)) & _only("district"))
                    | (Q(role__in=sorted(r.value for r in STATION_ROLES)) & _only("station"))
                    | (
                        Q(role__in=sorted(r.value for r in NGO_ROLES))
                        & (_only("state") | _only("district"))
                    )
                ),
            ),
            models.CheckConstraint(
                name="posting_dates_ordered",
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.get_role_display()} @ {self.unit}"

    @property
    def unit(self) -> State | District | Station | None:
        """The state, district or station the posting is bound to."""
        return self.station or self.district or self.state


class AuditEvent(models.Model):
    """One thing somebody did, written once and never changed (the database refuses updates)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [
            models.CheckConstraint(
                name="audit_action_is_dotted",
                condition=Q(action__regex=r"^[a-z_]+(\.[a-z_]+)+$"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Audit events are append-only.")


class Notification(models.Model):
    """Something a user must know, put in front of them (the bell, the dashboard, e-mail).

    Written in the recipient's language when it is created (the e-mail goes in the same one).
    """

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Urgent")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=100)  # dotted, e.g. broadcasts.broadcast.stopped
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_kind_is_dotted",
                condition=Q(kind__regex=r"^[a-z_]+(\.[a-z_]+)+$"),
            )
        ]

    def __str__(self) -> str:
        return self.title
