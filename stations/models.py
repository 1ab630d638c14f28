"""The jurisdiction tree: state > district (or commissionerate) > police station."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords


class State(models.Model):
    """A state or union territory, with its police headquarters."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name (English)"), max_length=120)
    name_local = models.CharField(_("name (local script)"), max_length=120, blank=True)
    headquarters = models.CharField(_("police headquarters"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A police district under an SP, or a commissionerate under a commissioner."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        COMMISSIONERATE = "commissionerate", _("Commissionerate")

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name (English)"), max_length=120)
    name_local = models.CharField(_("name (local script)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    whatsapp_phone_number_id = models.CharField(
        _("WhatsApp phone number ID"),
        max_length=32,
        blank=True,
        help_text=_(
            "The Meta phone number ID of the district's WhatsApp helpline, if it has its own: "
            "messages to it from senders we cannot place at a station wait in this district's "
            "unassigned queue."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("district or commissionerate")
        verbose_name_plural = _("districts and commissionerates")
        constraints = [
            models.UniqueConstraint(
                fields=["whatsapp_phone_number_id"],
                condition=~models.Q(whatsapp_phone_number_id=""),
                name="district_whatsapp_number_unique",
                violation_error_message=_("Another district already has this WhatsApp number."),
            ),
            models.CheckConstraint(
                condition=models.Q(whatsapp_phone_number_id__regex=r"^[0-9]*$"),
                name="district_whatsapp_number_digits",
                violation_error_message=_("A WhatsApp phone number ID has digits only."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A police station (thana): the unit most people and records belong to."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="stations")
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("Short code used in tracking numbers, e.g. VNS-CANTT."),
    )
    name = models.CharField(_("name (English)"), max_length=120)
    name_local = models.CharField(_("name (local script)"), max_length=120, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    whatsapp_number = PhoneNumberField(_("WhatsApp number"), blank=True)
    is_women_station = models.BooleanField(_("women's police station"), default=False)
    has_shakti_centre = models.BooleanField(_("Mission Shakti centre"), default=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("police station")
        verbose_name_plural = _("police stations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                    )
                ),
                name="station_location_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """English name with the local-script name beside it when there is one."""
        return f"{self.name} ({self.name_local})" if self.name_local else self.name


# --- Field work: hotspots, patrols, CCTV coverage, resource audits ---------------------------
# These tables refer to users through settings.AUTH_USER_MODEL (a lazy reference, no import of
# accounts): a patrol, an audit and an action item each need the person who did it or owns it.


class PrivateUploadStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT (settings.PRIVATE_MEDIA_ROOT), served by checked views only.

    The location is read from settings on every use, so a test may point it at a temporary folder.
    """

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> PrivateUploadStorage:
    """The storage for photos and evidence (a callable, so migrations do not freeze a path)."""
    return PrivateUploadStorage()


class Hotspot(models.Model):
    """A sensitive place in a station's area that anti-Romeo squads watch and patrol."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        COLLEGE = "college", _("College")
        COACHING = "coaching", _("Coaching centre")
        MARKET = "market", _("Market")
        BUS_STAND = "bus_stand", _("Bus stand")
        OTHER = "other", _("Other")

    INSTITUTION_KINDS = (Kind.SCHOOL, Kind.COLLEGE, Kind.COACHING)

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="hotspots", verbose_name=_("police station")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of place"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address or landmark"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["station__name", "name"]
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "station", name="hotspot_name_unique_per_station"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                    )
                ),
                name="hotspot_location_valid",
            ),
            models.CheckConstraint(condition=models.Q(name__regex=r"\S"), name="hotspot_has_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_institution(self) -> bool:
        """Schools, colleges and coaching centres: the places CCTV drives target."""
        return self.kind in self.INSTITUTION_KINDS


class CctvCoverage(models.Model):
    """Whether an institution (or other hotspot) has CCTV, and how many cameras."""

    class Status(models.TextChoices):
        # Cameras are in place and working.
        INSTALLED = "installed", _("Installed")
        # The institution was asked to install cameras; not done yet.
        PENDING = "pending", _("Pending")

    hotspot = models.OneToOneField(
        Hotspot, on_delete=models.CASCADE, related_name="cctv", verbose_name=_("hotspot")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    cameras = models.PositiveSmallIntegerField(
        _("cameras"),
        default=0,
        help_text=_("Installed: cameras working. Pending: cameras the institution agreed to fit."),
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("CCTV coverage")
        verbose_name_plural = _("CCTV coverage")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="installed") | models.Q(cameras__gte=1),
                name="cctv_installed_has_cameras",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot}: {self.get_status_display()} ({self.cameras})"


class Patrol(models.Model):
    """One visit of a patrol team to a hotspot, with what they saw."""

    hotspot = models.ForeignKey(
        Hotspot, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("hotspot")
    )
    patrolled_at = models.DateTimeField(_("patrolled at"))
    team = models.CharField(
        _("patrol team"), max_length=200, help_text=_("Who went, e.g. SI Rekha, HC Mohan.")
    )
    observations = models.TextField(_("observations"), blank=True)
    trouble_seen = models.BooleanField(
        _("trouble seen"), default=False, help_text=_("Eve-teasing, stalking or loitering seen.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-patrolled_at", "-id"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        indexes = [models.Index(fields=["hotspot", "-patrolled_at"], name="patrol_hotspot_latest")]
        constraints = [
            models.UniqueConstraint(fields=["hotspot", "patrolled_at"], name="patrol_unique_visit"),
            models.CheckConstraint(condition=models.Q(team__regex=r"\S"), name="patrol_has_team"),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot} @ {self.patrolled_at:%Y-%m-%d %H:%M}"


class ResourceItem(models.TextChoices):
    """What a station resource audit checks (the Varanasi review's list, plus CCTV and signage)."""

    ROOMS = "rooms", _("Rooms")
    WOMEN_TOILETS = "women_toilets", _("Women's toilets")
    REGISTERS = "registers", _("Registers")
    FURNITURE = "furniture", _("Furniture")
    COMPUTERS = "computers", _("Computers")
    MOBILE_PHONES = "mobile_phones", _("Mobile phones")
    SIM_CARDS = "sim_cards", _("SIM cards")
    VEHICLES = "vehicles", _("Vehicles")
    CCTV = "cctv", _("CCTV")
    HELPDESK_SIGNAGE = "helpdesk_signage", _("Help-desk signage")


class ResourceAudit(models.Model):
    """A checklist of a station's resources on one date (one audit per station per day)."""

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="resource_audits",
        verbose_name=_("police station"),
    )
    audited_on = models.DateField(_("audited on"))
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("audited by"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-audited_on", "-id"]
        verbose_name = _("resource audit")
        verbose_name_plural = _("resource audits")
        constraints = [
            models.UniqueConstraint(fields=["station", "audited_on"], name="audit_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.audited_on:%Y-%m-%d}"


class ActionItem(models.Model):
    """A deficit found by an audit, owned by someone, open until closed with evidence."""

    class Status(models.TextChoices):
        # The deficit is still there; the owner must fix it by the due date.
        OPEN = "open", _("Open")
        # Fixed; the closure note (and optional document or photo) is the evidence.
        CLOSED = "closed", _("Closed")

    # The only moves allowed; services check them (an item is never reopened: a new audit that
    # finds the deficit again raises a new item).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("police station"),
    )
    item = models.CharField(_("resource"), max_length=32, choices=ResourceItem.choices)
    raised_in = models.ForeignKey(
        ResourceAudit,
        on_delete=models.PROTECT,
        related_name="raised_action_items",
        verbose_name=_("raised in audit"),
    )
    description = models.CharField(_("what is needed"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_action_items",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closure_note = models.TextField(_("closure evidence"), blank=True)
    closure_file = models.FileField(
        _("closure document or photo"),
        storage=private_storage,
        upload_to="action-items/%Y/%m/",
        blank=True,
        max_length=200,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["station", "status"], name="actionitem_station_status")]
        constraints = [
            # Double submits and repeat audits never open a second item for the same deficit.
            models.UniqueConstraint(
                fields=["station", "item"],
                condition=models.Q(status="open"),
                name="actionitem_one_open_per_resource",
            ),
            # Closed means evidence: who, when and a written note (the file is optional).
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="open",
                        closed_at__isnull=True,
                        closed_by__isnull=True,
                        closure_note="",
                        closure_file="",
                    )
                    | models.Q(
                        status="closed",
                        closed_at__isnull=False,
                        closed_by__isnull=False,
                        closure_note__regex=r"\S",
                    )
                ),
                name="actionitem_closed_with_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station}: {self.get_item_display()} ({self.get_status_display()})"

    def may_become(self, status: str) -> bool:
        """Whether the status machine allows moving from the current status to `status`."""
        return status in self.TRANSITIONS.get(self.status, frozenset())


class ResourceCheck(models.Model):
    """One line of an audit: a resource, ok or deficit, with the count on hand and notes."""

    class Status(models.TextChoices):
        # Enough of it, in working order.
        OK = "ok", _("OK")
        # Missing, short or broken: becomes (or joins) an open action item.
        DEFICIT = "deficit", _("Deficit")

    audit = models.ForeignKey(
        ResourceAudit, on_delete=models.CASCADE, related_name="checks", verbose_name=_("audit")
    )
    item = models.CharField(_("resource"), max_length=32, choices=ResourceItem.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    count = models.PositiveIntegerField(_("count on hand"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    action_item = models.ForeignKey(
        ActionItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("action item"),
    )

    class Meta:
        ordering = ["audit", "id"]
        verbose_name = _("resource check")
        verbose_name_plural = _("resource checks")
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="check_one_per_item"),
            models.CheckConstraint(
                condition=models.Q(status="ok", action_item__isnull=True)
                | models.Q(status="deficit", action_item__isnull=False),
                name="check_deficit_has_action_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_status_display()}"


# --- Monthly returns ----------------------------------------------------------------------------


class StationReturn(models.Model):
    """A station's monthly Mission Shakti return, as submitted by its IC or Shakti in-charge.

    A row exists only once the return is submitted: a month with no row is "missing" after its
    due date and "not due" before it (stations.selectors.return_status works this out).
    `due_on` is frozen at submission so a later change of STATION_RETURN_DUE_DAY does not turn
    an on-time return late after the fact.
    """

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="returns", verbose_name=_("police station")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    due_on = models.DateField(_("due on"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["-month", "station__name"]
        verbose_name = _("station return")
        verbose_name_plural = _("station returns")
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="return_one_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="return_month_first_day"),
            models.CheckConstraint(
                condition=models.Q(due_on__gt=models.F("month")), name="return_due_after_month"
            ),
        ]
        indexes = [models.Index(fields=["month", "station"], name="return_month_station")]

    def __str__(self) -> str:
        return f"{self.station} {self.month:%Y-%m}"

    @property
    def is_late(self) -> bool:
        """Submitted (in India's local time) after the due date."""
        return timezone.localtime(self.submitted_at).date() > self.due_on
