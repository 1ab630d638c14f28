"""Complaints and casework.

So far: the anti-Romeo squad enforcement register (RomeoAction and its cases and persons).
Complaint intake arrives with its own issue, in its own classes below these.

Counting rule of the register, which the review report relies on:
* a case is one FIR (RomeoCase: unique FIR number per station) -> "cases registered";
* an accused arrested is one RomeoPerson row with outcome `arrested`, linked to its case; a case
  can have several accused, arrested in the same action or later ones -> "accused arrested";
* a person proceeded against preventively is one RomeoPerson row with outcome `detained` and the
  BNSS section used (126, 135 or 170) -> "detained under BNSS 126/135/170";
* a person warned and counselled with the parents is one row with outcome `warned`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import District, Hotspot, Station, private_storage


class RomeoActionType(models.TextChoices):
    """What a squad did; decides which person rows an action may carry."""

    # An FIR was registered; accused arrested on the spot may be listed with it.
    CASE_REGISTERED = "case_registered", _("Case registered (FIR)")
    # Accused arrested in an FIR the station registered earlier.
    ACCUSED_ARRESTED = "accused_arrested", _("Accused arrested")
    # Preventive action: persons detained and proceeded against under BNSS 126/135/170.
    PREVENTIVE = "preventive", _("Preventive action (BNSS 126/135/170)")
    # Warned and counselled in the presence of their parents; no proceedings.
    WARNED = "warned", _("Warned / counselled with parents")


class PersonOutcome(models.TextChoices):
    """What happened to one person in an action."""

    # Arrested as an accused in a case (FIR).
    ARRESTED = "arrested", _("Arrested (accused)")
    # Detained and proceeded against under a BNSS preventive section.
    DETAINED = "detained", _("Preventive action")
    # Warned and counselled with the parents.
    WARNED = "warned", _("Warned / counselled")


class BnssSection(models.TextChoices):
    """Preventive sections of the Bharatiya Nagarik Suraksha Sanhita, 2023 used by the squads."""

    S126 = "126", _("BNSS 126 — security for keeping the peace (old CrPC 107)")
    S135 = "135", _("BNSS 135 — inquiry into the information (old CrPC 116)")
    S170 = "170", _("BNSS 170 — arrest to prevent a cognisable offence (old CrPC 151)")


# Which person outcomes each action type may record (services and forms check this).
OUTCOMES_BY_ACTION: dict[str, frozenset[str]] = {
    RomeoActionType.CASE_REGISTERED: frozenset({PersonOutcome.ARRESTED}),
    RomeoActionType.ACCUSED_ARRESTED: frozenset({PersonOutcome.ARRESTED}),
    RomeoActionType.PREVENTIVE: frozenset({PersonOutcome.DETAINED}),
    RomeoActionType.WARNED: frozenset({PersonOutcome.WARNED}),
}


class RomeoAction(models.Model):
    """One anti-Romeo squad action: a date, a station, the squad, a place and what was done."""

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="romeo_actions",
        verbose_name=_("police station"),
    )
    acted_on = models.DateField(_("date"))
    squad = models.CharField(_("squad"), max_length=120)
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="romeo_actions",
        verbose_name=_("hotspot"),
    )
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("When the place is not a hotspot.")
    )
    action_type = models.CharField(_("action"), max_length=32, choices=RomeoActionType.choices)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-acted_on", "-id"]
        verbose_name = _("anti-Romeo action")
        verbose_name_plural = _("anti-Romeo actions")
        indexes = [models.Index(fields=["station", "acted_on"], name="romeo_station_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hotspot__isnull=False) | Q(place__regex=r"\S"),
                name="romeo_action_has_place",
            ),
            models.CheckConstraint(condition=Q(squad__regex=r"\S"), name="romeo_action_has_squad"),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.acted_on:%Y-%m-%d} {self.get_action_type_display()}"

    @property
    def place_label(self) -> str:
        """The hotspot's name, or the free-text place."""
        return self.hotspot.name if self.hotspot_id and self.hotspot else self.place


class RomeoCase(models.Model):
    """An FIR registered by an anti-Romeo action: one row per FIR (a case)."""

    action = models.OneToOneField(
        RomeoAction,
        on_delete=models.PROTECT,
        related_name="case",
        verbose_name=_("registered in action"),
    )
    # The registering action's station, repeated so the database can keep FIRs unique per station.
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="romeo_cases", verbose_name=_("station")
    )
    fir_number = models.CharField(
        _("FIR number"), max_length=20, help_text=_("As written on the FIR, e.g. 0123/2026.")
    )
    cctns_number = models.CharField(
        _("CCTNS number"), max_length=30, blank=True, help_text=_("The CCTNS FIR id, if known.")
    )
    bns_sections = models.CharField(
        _("BNS sections"), max_length=120, blank=True, help_text=_("e.g. 74, 78, 79")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["station", "fir_number"]
        verbose_name = _("anti-Romeo case (FIR)")
        verbose_name_plural = _("anti-Romeo cases (FIRs)")
        constraints = [
            models.UniqueConstraint(fields=["station", "fir_number"], name="romeo_fir_per_station"),
            models.UniqueConstraint(
                fields=["cctns_number"],
                condition=~Q(cctns_number=""),
                name="romeo_cctns_unique",
            ),
            models.CheckConstraint(
                condition=Q(fir_number__regex=r"^[0-9]{1,6}/[0-9]{4}$"),
                name="romeo_fir_number_format",
            ),
        ]

    def __str__(self) -> str:
        return f"FIR {self.fir_number}"


class RomeoPerson(models.Model):
    """One person dealt with in an action: an accused arrested, a person detained, or warned."""

    action = models.ForeignKey(
        RomeoAction, on_delete=models.CASCADE, related_name="persons", verbose_name=_("action")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=PersonOutcome.choices)
    case = models.ForeignKey(
        RomeoCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accused",
        verbose_name=_("case (FIR)"),
    )
    bnss_section = models.CharField(
        _("BNSS section"), max_length=3, choices=BnssSection.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    parents_present = models.BooleanField(_("parents present"), default=False)

    class Meta:
        ordering = ["action", "id"]
        verbose_name = _("person in an anti-Romeo action")
        verbose_name_plural = _("persons in anti-Romeo actions")
        indexes = [models.Index(fields=["outcome", "bnss_section"], name="romeo_person_outcome")]
        constraints = [
            # Arrested -> linked to a case; detained -> a BNSS section; warned -> neither.
            models.CheckConstraint(
                condition=Q(outcome="arrested", case__isnull=False, bnss_section="")
                | Q(outcome="detained", case__isnull=True, bnss_section__in=BnssSection.values)
                | Q(outcome="warned", case__isnull=True, bnss_section=""),
                name="romeo_person_outcome_fields",
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__gte=7, age__lte=100),
                name="romeo_person_age_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or '—'} ({self.get_outcome_display()})"


# --- Complaint intake (issue 5) --------------------------------------------------------------
# A complaint carries only its tracking number outward; the victim's identity lives in
# VictimIdentity (encrypted at rest) and each showing of it writes an IdentityAccessLog row.

from encrypted_fields.fields import EncryptedCharField, EncryptedTextField  # noqa: E402


class ComplaintChannel(models.TextChoices):
    """How the complaint reached the station."""

    # Walk-in at the Mission Shakti desk, typed in by an officer.
    DESK = "desk", _("Walk-in (desk)")
    # Telephone call taken by an officer.
    PHONE = "phone", _("Phone")
    # The public web form.
    WEB = "web", _("Web form")
    # A WhatsApp message to the station's number.
    WHATSAPP = "whatsapp", _("WhatsApp")
    # Reported by a community group on someone's behalf.
    GROUP_REPORT = "group_report", _("Community group report")


class ComplaintCategory(models.TextChoices):
    """What the complaint is about (decides the SLA)."""

    EVE_TEASING = "eve_teasing", _("Eve-teasing")
    STALKING = "stalking", _("Stalking")
    MOLESTATION = "molestation", _("Molestation")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    DOWRY_HARASSMENT = "dowry_harassment", _("Dowry harassment")
    CYBER_HARASSMENT = "cyber_harassment", _("Cyber harassment")
    CYBER_FRAUD = "cyber_fraud", _("Cyber fraud")
    SNATCHING = "snatching", _("Snatching")
    CHILD_RELATED = "child_related", _("Child-related")
    MISSING_PERSON = "missing_person", _("Missing person")
    TRAFFICKING = "trafficking", _("Trafficking")
    OTHER = "other", _("Other")


class ComplaintPriority(models.TextChoices):
    """How fast the station must act."""

    # Routine: within the category's SLA.
    NORMAL = "normal", _("Normal")
    # Needs attention today.
    HIGH = "high", _("High")
    # Danger to life or limb: act now.
    URGENT = "urgent", _("Urgent")


class ComplaintStatus(models.TextChoices):
    """Where the complaint is in its life."""

    # Registered; nobody assigned yet.
    RECEIVED = "received", _("Received")
    # An officer is responsible.
    ASSIGNED = "assigned", _("Assigned")
    # The officer is enquiring into the facts.
    UNDER_ENQUIRY = "under_enquiry", _("Under enquiry")
    # The parties are being counselled at the Mission Shakti centre.
    COUNSELLING = "counselling", _("Counselling")
    # Action taken (FIR, preventive action, referral...); awaiting closure.
    ACTION_TAKEN = "action_taken", _("Action taken")
    # Disposed of (terminal).
    CLOSED = "closed", _("Closed")
    # Sent to another station or unit (terminal here).
    TRANSFERRED = "transferred", _("Transferred")
    # The complainant withdrew it (terminal).
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Allowed status changes: the only place that says which move is legal.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintStatus.RECEIVED: frozenset({"assigned", "transferred", "withdrawn"}),
    ComplaintStatus.ASSIGNED: frozenset({"under_enquiry", "transferred", "withdrawn"}),
    ComplaintStatus.UNDER_ENQUIRY: frozenset(
        {"counselling", "action_taken", "closed", "transferred", "withdrawn"}
    ),
    ComplaintStatus.COUNSELLING: frozenset({"action_taken", "closed", "withdrawn"}),
    ComplaintStatus.ACTION_TAKEN: frozenset({"closed"}),
    ComplaintStatus.CLOSED: frozenset(),
    ComplaintStatus.TRANSFERRED: frozenset(),
    ComplaintStatus.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = frozenset(s for s, targets in COMPLAINT_TRANSITIONS.items() if targets)
TERMINAL_STATUSES = frozenset(ComplaintStatus.values) - OPEN_STATUSES


class EscalationLevel(models.IntegerChoices):
    """How far an overdue complaint has been escalated."""

    NONE = 0, _("Not escalated")
    STATION_IC = 1, _("Escalated to the station in-charge")
    DISTRICT = 2, _("Escalated to the district")


class TrackingCounter(models.Model):
    """The last tracking sequence handed out per station and year (locked while allocating)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tracking number counter")
        verbose_name_plural = _("tracking number counters")
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="tracking_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.year}: {self.last_sequence}"


class Complaint(models.Model):
    """A complaint at a station. Its only outward identity is the tracking number."""

    tracking_number = models.CharField(_("tracking number"), max_length=40, unique=True)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("station")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    category = models.CharField(_("category"), max_length=24, choices=ComplaintCategory.choices)
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("date of incident"), null=True, blank=True)
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=ComplaintPriority.choices,
        default=ComplaintPriority.NORMAL,
    )
    is_sos = models.BooleanField(_("SOS"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assigned officer"),
    )
    due_on = models.DateField(_("due date"))
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    identity_protected = models.BooleanField(_("identity protected"), default=True)
    inbound_wamid = models.CharField(max_length=128, null=True, blank=True, editable=False)
    # Who wrote it on WhatsApp (the complainant's citizen record): the officer's reply within
    # 24 hours goes to them, by phone or, when they withheld it, by WhatsApp user id.
    whatsapp_citizen = models.ForeignKey(
        "people.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Fixed token of seeded demo rows (and idempotent clients): re-running finds the row again.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["description"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["station", "status", "due_on"], name="complaint_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "year", "sequence"], name="complaint_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["inbound_wamid"],
                condition=Q(inbound_wamid__isnull=False),
                name="complaint_one_per_inbound_message",
            ),
            models.CheckConstraint(
                condition=Q(description__regex=r"\S"), name="complaint_has_description"
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(ComplaintStatus.values)), name="complaint_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=list(ComplaintCategory.values)),
                name="complaint_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(status__in=["closed", "withdrawn"]),
                name="complaint_closed_at_only_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(status="received")
                | ~Q(status="assigned")
                | Q(assigned_to__isnull=False),
                name="complaint_assigned_has_officer",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="complaint_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    def __repr__(self) -> str:
        return f"<Complaint {self.tracking_number}>"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in COMPLAINT_TRANSITIONS.get(self.status, frozenset())


class VictimIdentity(models.Model):
    """Who the victim is: encrypted at rest, shown only to permitted roles with a reason.

    The encrypted fields store an empty value as NULL (the field library's behaviour)."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="identity", verbose_name=_("complaint")
    )
    name = EncryptedCharField(_("name"), max_length=200, null=True, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=32, null=True, blank=True)
    address = EncryptedTextField(_("address"), null=True, blank=True)
    family = EncryptedTextField(_("family"), null=True, blank=True)
    school_or_workplace = EncryptedCharField(
        _("school or workplace"), max_length=200, null=True, blank=True
    )
    # HMAC-SHA256 of the normalised phone (COMPLAINTS_LOOKUP_KEY): look-ups without decrypting.
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The victim's photo: Fernet ciphertext of the re-encoded image in private storage (never
    # under MEDIA_URL), read only through services.identity_photo after reveal_identity.
    photo = models.FileField(
        _("photo (encrypted)"),
        storage=private_storage,
        upload_to="identity-photos/%Y/%m/",
        max_length=200,
        blank=True,
        editable=False,
    )
    photo_content_type = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("victim identity")
        verbose_name_plural = _("victim identities")

    def __str__(self) -> str:
        return str(_("Protected identity"))

    def __repr__(self) -> str:
        return f"<VictimIdentity of complaint {self.complaint_id}>"


class ComplaintEvent(models.Model):
    """One step in a complaint's timeline (append-only; never carries identity)."""

    class Kind(models.TextChoices):
        # The complaint was registered.
        REGISTERED = "registered", _("Registered")
        # An officer was made responsible.
        ASSIGNED = "assigned", _("Assigned")
        # The status changed.
        STATUS = "status", _("Status changed")
        # Overdue: escalated to the IC or the district.
        ESCALATED = "escalated", _("Escalated")
        # Somebody viewed the victim's identity.
        IDENTITY_SHOWN = "identity_shown", _("Identity shown")
        # A counselling session was held at the Mission Shakti centre.
        COUNSELLING = "counselling", _("Counselling session")
        # An FIR was registered on the complaint.
        FIR = "fir", _("FIR registered")
        # The FIR's details were corrected or its sections altered (with the reason).
        FIR_CORRECTED = "fir_corrected", _("FIR corrected")
        # An accused was arrested in the complaint's FIR.
        ARREST = "arrest", _("Accused arrested")
        # The victim was referred (legal aid, One Stop Centre, shelter, medical, CWC).
        REFERRAL = "referral", _("Referred")
        # A referral was followed up.
        FOLLOW_UP = "follow_up", _("Referral followed up")
        # Closed with a summary and the complainant's feedback.
        CLOSED = "closed", _("Closed with summary")
        # A WhatsApp message of the district queue was given to a station.
        ROUTED = "routed", _("Routed to the station")
        # A photo of the victim was added to the protected identity.
        PHOTO = "photo", _("Photo added to the identity")
        # An officer replied to the complainant on WhatsApp (within the 24-hour window).
        REPLIED = "replied", _("Replied on WhatsApp")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True, choices=ComplaintStatus.choices)
    to_status = models.CharField(max_length=16, blank=True, choices=ComplaintStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    # What the note says as codes and values (a referral's kind, an outcome, an FIR's number),
    # put into the reader's language when shown: complaints.timeline.event_note.
    note_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("complaint timeline entry")
        verbose_name_plural = _("complaint timeline entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise ValueError("Timeline entries are append-only.")
        super().save(*args, **kwargs)

    @property
    def display_note(self) -> str:
        """The note in the active language (complaints.timeline.event_note)."""
        from complaints.timeline import event_note

        return event_note(self)


class IdentityAccessLog(models.Model):
    """Each showing of a victim's identity: who, which complaint, why, when, from where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="identity_views"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identity access log entry")
        verbose_name_plural = _("identity access log")
        constraints = [
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="identity_log_has_reason")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} user {self.user_id}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise ValueError("Identity access log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Identity access log entries are append-only.")


class CounsellingOutcome(models.TextChoices):
    """How a counselling session at the Mission Shakti centre ended."""

    # The parties reconciled.
    RECONCILED = "reconciled", _("Reconciled")
    # The family was reunited (e.g. a runaway or missing person).
    FAMILY_REUNITED = "family_reunited", _("Family reunited")
    # Referred on (legal aid, One Stop Centre, shelter, medical, CWC).
    REFERRED = "referred", _("Referred")
    # Counselling cannot settle it: an FIR is advised.
    FIR_ADVISED = "fir_advised", _("FIR advised")
    # No settlement; another session may follow.
    NO_SETTLEMENT = "no_settlement", _("No settlement")


class CounsellingSession(models.Model):
    """One counselling session on a complaint. Parties are described by role, never by name."""

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        related_name="counselling_sessions",
        verbose_name=_("complaint"),
    )
    held_on = models.DateField(_("held on"))
    parties = models.CharField(
        _("parties present"),
        max_length=200,
        help_text=_("By role, not by name: e.g. complainant, husband, mother-in-law."),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CounsellingOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=models.F("held_on")),
                name="counselling_follow_up_after_session",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=list(CounsellingOutcome.values)),
                name="counselling_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(parties__regex=r"\S"), name="counselling_has_parties"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_outcome_display()}"


# --- Casework (issue 5): FIR, arrests, referrals, closure; SLA policy; district queue --------


class SlaPolicy(models.Model):
    """How long a category may take, editable by admins (settings are the fallback).

    A category without a row falls back to settings.COMPLAINTS_SLA_WORKING_DAYS; an SOS is due
    within `sos_hours` of registration (0: the same day)."""

    category = models.CharField(
        _("category"), max_length=24, choices=ComplaintCategory.choices, unique=True
    )
    working_days = models.PositiveSmallIntegerField(
        _("working days"), validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    sos_hours = models.PositiveSmallIntegerField(
        _("SOS hours"),
        default=0,
        validators=[MaxValueValidator(72)],
        help_text=_("An SOS complaint falls due this many hours after it arrives (0: same day)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["category"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=90), name="sla_days_range"
            ),
            models.CheckConstraint(condition=Q(sos_hours__lte=72), name="sla_sos_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.working_days}"


class FirRegistration(models.Model):
    """The FIR registered on a complaint: a reference (numbers and BNS sections), not a copy."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="fir", verbose_name=_("complaint")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="complaint_firs", verbose_name=_("station")
    )
    fir_number = models.CharField(
        _("FIR number"), max_length=12, help_text=_("As written on the FIR, e.g. 0123/2026.")
    )
    cctns_number = models.CharField(
        _("CCTNS FIR number"),
        max_length=17,
        help_text=_("17 digits: the 8-digit station code, the year and the 5-digit FIR serial."),
    )
    registered_on = models.DateField(_("registered on"))
    # A JSON list of section strings ("78", "351(2)"): portable to SQLite (the embedded setup),
    # and never queried by element.
    bns_sections = models.JSONField(verbose_name=_("BNS sections"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("FIR on a complaint")
        verbose_name_plural = _("FIRs on complaints")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "fir_number"], name="complaint_fir_per_station"
            ),
            models.UniqueConstraint(fields=["cctns_number"], name="complaint_fir_cctns_unique"),
            models.CheckConstraint(
                condition=Q(fir_number__regex=r"^[0-9]{4,6}/[0-9]{4}$"),
                name="complaint_fir_number_format",
            ),
            models.CheckConstraint(
                condition=Q(cctns_number__regex=r"^[0-9]{17}$"),
                name="complaint_fir_cctns_format",
            ),
            models.CheckConstraint(
                condition=~Q(bns_sections=[]), name="complaint_fir_has_sections"
            ),
        ]

    def __str__(self) -> str:
        return f"FIR {self.fir_number}"


class Arrest(models.Model):
    """An accused arrested in the complaint's FIR. The accused is described by role (and may be
    named for the station's own use); the victim's identity never appears here. Never shown on
    public or citizen pages."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="arrests", verbose_name=_("complaint")
    )
    fir = models.ForeignKey(
        FirRegistration, on_delete=models.PROTECT, related_name="arrests", verbose_name=_("FIR")
    )
    accused_role = models.CharField(
        _("accused (role)"),
        max_length=80,
        help_text=_("How the accused relates to the case: husband, neighbour, unknown youth..."),
    )
    accused_description = models.CharField(
        _("accused (name or description)"), max_length=200, blank=True
    )
    arrested_on = models.DateField(_("arrested on"))
    section = models.CharField(_("BNS section"), max_length=16)
    arrested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("arrested by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["arrested_on", "id"]
        verbose_name = _("arrest on a complaint")
        verbose_name_plural = _("arrests on complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(accused_role__regex=r"\S"), name="complaint_arrest_has_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.accused_role} {self.arrested_on:%Y-%m-%d}"


class ReferralKind(models.TextChoices):
    """Where a victim can be referred for support."""

    LEGAL_AID = "legal_aid", _("Legal aid (DLSA)")
    ONE_STOP_CENTRE = "one_stop_centre", _("One Stop Centre (Sakhi)")
    SHELTER = "shelter", _("Shelter home")
    MEDICAL = "medical", _("Medical care")
    CHILD_WELFARE = "child_welfare", _("Child Welfare Committee")


class FollowUpOutcome(models.TextChoices):
    """What the follow-up of a referral found."""

    # Not followed up yet.
    PENDING = "pending", _("Pending")
    # The victim received the support.
    SUPPORTED = "supported", _("Support received")
    # The support is still being arranged.
    IN_PROGRESS = "in_progress", _("In progress")
    # The victim declined it.
    DECLINED = "declined", _("Declined by the victim")
    # The victim could not be reached.
    NOT_REACHED = "not_reached", _("Could not be reached")


# Outcomes that end a referral's follow-up; after the others another follow-up is due.
FINAL_FOLLOW_UP_OUTCOMES = frozenset({FollowUpOutcome.SUPPORTED, FollowUpOutcome.DECLINED})


class Referral(models.Model):
    """The victim referred for support, with a date to follow it up and what the follow-up found."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("complaint")
    )
    kind = models.CharField(_("referred to"), max_length=20, choices=ReferralKind.choices)
    agency = models.CharField(
        _("agency"), max_length=200, blank=True, help_text=_("e.g. One Stop Centre, Varanasi.")
    )
    referred_on = models.DateField(_("referred on"))
    follow_up_on = models.DateField(_("follow-up date"))
    follow_up_outcome = models.CharField(
        _("follow-up outcome"),
        max_length=16,
        choices=FollowUpOutcome.choices,
        default=FollowUpOutcome.PENDING,
    )
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up_notes = models.CharField(_("follow-up notes"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["referred_on", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__gte=models.F("referred_on")),
                name="referral_follow_up_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(ReferralKind.values)), name="referral_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_outcome="pending", followed_up_on__isnull=True)
                | (~Q(follow_up_outcome="pending") & Q(followed_up_on__isnull=False)),
                name="referral_followed_up_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.referred_on:%Y-%m-%d}"

    @property
    def follow_up_done(self) -> bool:
        """The latest follow-up found the support received or declined: nothing more is due."""
        return self.follow_up_outcome in FINAL_FOLLOW_UP_OUTCOMES


class ReferralFollowUp(models.Model):
    """One follow-up of a referral. The referral carries the latest outcome and, while the
    support is still being arranged or the victim was not reached, the next follow-up date."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("referral")
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=[c for c in FollowUpOutcome.choices if c[0] != FollowUpOutcome.PENDING],
    )
    followed_up_on = models.DateField(_("followed up on"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["followed_up_on", "id"]
        verbose_name = _("referral follow-up")
        verbose_name_plural = _("referral follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["supported", "in_progress", "declined", "not_reached"]),
                name="referral_follow_up_outcome_valid",
            ),
            # A final outcome ends the follow-up; the others set the next one, not before.
            models.CheckConstraint(
                condition=(
                    Q(outcome__in=["supported", "declined"], next_follow_up_on__isnull=True)
                    | Q(
                        outcome__in=["in_progress", "not_reached"],
                        next_follow_up_on__gte=models.F("followed_up_on"),
                    )
                ),
                name="referral_follow_up_next_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.followed_up_on:%Y-%m-%d}"


class Feedback(models.TextChoices):
    """The complainant's view of how the complaint was handled, asked at closure."""

    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")
    # The complainant could not be asked or declined to answer.
    NOT_GIVEN = "not_given", _("Not given")


class ComplaintClosure(models.Model):
    """How a complaint was disposed of: a summary and the complainant's feedback."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="closure", verbose_name=_("complaint")
    )
    summary = models.TextField(_("summary"))
    feedback = models.CharField(
        _("complainant's feedback"), max_length=16, choices=Feedback.choices
    )
    feedback_remarks = models.CharField(_("feedback remarks"), max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint closure")
        verbose_name_plural = _("complaint closures")
        constraints = [
            models.CheckConstraint(condition=Q(summary__regex=r"\S"), name="closure_has_summary"),
            models.CheckConstraint(
                condition=Q(feedback__in=list(Feedback.values)), name="closure_feedback_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_feedback_display()}"


class UnroutedMessage(models.Model):
    """A WhatsApp complaint whose station is not known: it waits in its district's queue until
    the district head or a Mission Shakti in-charge of the district gives it to a station
    (which registers it as a complaint there). The sender's number and name are encrypted."""

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="unrouted_messages",
        verbose_name=_("district"),
    )
    inbound_wamid = models.CharField(max_length=128, unique=True, editable=False)
    from_phone = EncryptedCharField(_("sender's phone"), max_length=32, null=True, blank=True)
    sender_name = EncryptedCharField(_("sender's name"), max_length=200, null=True, blank=True)
    # The sender's citizen record when known (always for a sender who withheld their number:
    # then from_phone is empty and only their WhatsApp user id reaches them).
    citizen = models.ForeignKey(
        "people.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    text = models.TextField(_("message"))
    is_sos = models.BooleanField(_("SOS"), default=False)
    received_at = models.DateTimeField(_("received at"))
    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routed_from",
        verbose_name=_("complaint"),
    )
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_sos", "received_at", "id"]
        verbose_name = _("unassigned WhatsApp complaint")
        verbose_name_plural = _("unassigned WhatsApp complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(complaint__isnull=True, routed_at__isnull=True)
                | Q(complaint__isnull=False, routed_at__isnull=False),
                name="unrouted_routed_consistent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.received_at:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<UnroutedMessage {self.pk}>"
