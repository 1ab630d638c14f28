"""Vetted community groups: groups, nominations, the exclusion register, members and conduct.

WhatsApp's Cloud API cannot run groups of this size, so the portal owns the roster, the vetting
and the invite link; joining happens in WhatsApp. Seats are a counter on the group guarded by a
CHECK constraint (seats_taken <= capacity): two officers approving the last seat at the same
moment cannot over-fill the group, whatever the Python code does.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from broadcasts.models import Delivery
from people.models import Citizen
from stations.models import District, State, Station

MAX_CAPACITY = 1024  # WhatsApp's own group limit today; each group sets its own cap below it
E164 = r"^\+[1-9][0-9]{6,14}$"


def _exactly_one_unit() -> Q:
    """Exactly one of state, district, station is set."""
    station = Q(station__isnull=False, district__isnull=True, state__isnull=True)
    district = Q(station__isnull=True, district__isnull=False, state__isnull=True)
    state = Q(station__isnull=True, district__isnull=True, state__isnull=False)
    return station | district | state


class GroupKind(models.TextChoices):
    WOMEN_SAFETY = "women_safety", _("Women's safety")
    TRADERS = "traders", _("Traders")
    DIGITAL_VOLUNTEERS = "digital_volunteers", _("Digital volunteers")
    RESIDENTS = "residents", _("Residents")
    COORDINATION = "coordination", _("Coordination (NGOs, station in-charges)")
    OTHER = "other", _("Other")


class CommunityGroup(models.Model):
    """A WhatsApp group a station (or a district/state, for coordination) runs and vets."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="community_groups"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="community_groups"
    )
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="community_groups"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"), blank=True)
    rules = models.TextField(_("rules shown to members"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0, editable=False)
    invite_link = models.URLField(_("WhatsApp invite link"), blank=True)
    accepts_applications = models.BooleanField(
        _("accepts applications through the public form"), default=False
    )
    public_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_groups",
        verbose_name=_("admins"),
        help_text=_("Officers of the group's unit who vet nominations and run the group."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["seats_taken"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("community group")
        verbose_name_plural = _("community groups")
        constraints = [
            models.CheckConstraint(
                name="group_has_exactly_one_unit", condition=_exactly_one_unit()
            ),
            models.CheckConstraint(
                name="group_capacity_in_range",
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
            ),
            # The capacity guard: no code path can take a seat that is not there.
            models.CheckConstraint(
                name="group_seats_within_capacity",
                condition=Q(seats_taken__gte=0, seats_taken__lte=F("capacity")),
            ),
            models.UniqueConstraint(
                fields=["station", "name"],
                condition=Q(station__isnull=False),
                name="group_name_unique_per_station",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> Station | District | State:
        """The station, district or state that runs the group."""
        unit = self.station or self.district or self.state
        assert unit is not None
        return unit

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class Nominator(models.Model):
    """A civic volunteer or party representative who proposes members (their record counts)."""

    class Kind(models.TextChoices):
        CIVIC_VOLUNTEER = "civic_volunteer", _("Civic volunteer")
        PARTY_REPRESENTATIVE = "party_representative", _("Party representative")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone (E.164)"), max_length=16)
    organisation = models.CharField(_("party or organisation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nominator")
        verbose_name_plural = _("nominators")
        constraints = [
            models.UniqueConstraint(fields=["district", "phone"], name="nominator_phone_unique"),
            models.CheckConstraint(name="nominator_phone_is_e164", condition=Q(phone__regex=E164)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class NominationSource(models.TextChoices):
    CIVIC_VOLUNTEER = "civic_volunteer", _("Civic volunteer")
    PARTY_REPRESENTATIVE = "party_representative", _("Party representative")
    OFFICER = "officer", _("Officer")
    SELF_APPLICATION = "self_application", _("Self-application (public form)")


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # received; screening not yet run
    SCREENED = "screened", _("Screened")  # checked against the register; awaits a decision
    APPROVED = "approved", _("Approved")  # has a seat (a membership) and an invite
    REJECTED = "rejected", _("Rejected")  # refused, with a recorded reason; final
    WAITLISTED = "waitlisted", _("Waitlisted")  # approved, group full: seated first come first


# The status machine, in one place: from -> allowed next states.
NOMINATION_TRANSITIONS: dict[str, frozenset[str]] = {
    NominationStatus.SUBMITTED: frozenset({NominationStatus.SCREENED}),
    NominationStatus.SCREENED: frozenset(
        {NominationStatus.APPROVED, NominationStatus.REJECTED, NominationStatus.WAITLISTED}
    ),
    NominationStatus.WAITLISTED: frozenset({NominationStatus.APPROVED, NominationStatus.REJECTED}),
    NominationStatus.APPROVED: frozenset(),
    NominationStatus.REJECTED: frozenset(),
}
OPEN_STATUSES = (
    NominationStatus.SUBMITTED,
    NominationStatus.SCREENED,
    NominationStatus.WAITLISTED,
)
DECIDED_STATUSES = (
    NominationStatus.APPROVED,
    NominationStatus.REJECTED,
    NominationStatus.WAITLISTED,
)


class Nomination(models.Model):
    """A proposal that a person join a group, vetted against the exclusion register."""

    group = models.ForeignKey(CommunityGroup, on_delete=models.PROTECT, related_name="nominations")
    source = models.CharField(_("nominated by"), max_length=24, choices=NominationSource.choices)
    nominator = models.ForeignKey(
        Nominator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("nominator"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    nominee_name = models.CharField(_("name"), max_length=200)
    nominee_phone = models.CharField(_("phone (E.164)"), max_length=16)
    nominee_locality = models.CharField(_("locality"), max_length=200, blank=True)
    nominee_district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    nominee_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="hi"
    )
    note = models.TextField(_("why this person"), blank=True)
    nominee_consent = models.BooleanField(_("the nominee agreed to join and be contacted"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.SUBMITTED,
        db_index=True,
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    screening = models.JSONField(_("screening result"), default=list, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_entry_ids = models.JSONField(default=list, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    revet_on = models.DateField(_("re-vet on"), null=True, blank=True)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.CheckConstraint(
                name="nomination_phone_is_e164", condition=Q(nominee_phone__regex=E164)
            ),
            models.CheckConstraint(
                name="nomination_has_consent", condition=Q(nominee_consent=True)
            ),
            # One open nomination per person and group: double submits cannot duplicate.
            models.UniqueConstraint(
                fields=["group", "nominee_phone"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="nomination_one_open_per_person",
            ),
            models.CheckConstraint(
                name="nomination_nominator_matches_source",
                condition=(
                    Q(source__in=["civic_volunteer", "party_representative"])
                    & Q(nominator__isnull=False)
                )
                | (Q(source="officer") & Q(nominator__isnull=True) & Q(recorded_by__isnull=False))
                | (
                    Q(source="self_application")
                    & Q(nominator__isnull=True)
                    & Q(recorded_by__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="nomination_screened_before_decision",
                condition=Q(status="submitted") | Q(screened_at__isnull=False),
            ),
            models.CheckConstraint(
                name="nomination_decision_has_officer",
                condition=~Q(status__in=[s.value for s in DECIDED_STATUSES])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
            models.CheckConstraint(
                name="nomination_rejection_has_reason",
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
            ),
            models.CheckConstraint(
                name="nomination_approval_has_revet_date",
                condition=~Q(status="approved") | Q(revet_on__isnull=False, citizen__isnull=False),
            ),
            models.CheckConstraint(
                name="nomination_waitlist_has_time",
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="nomination_override_is_complete",
                condition=(Q(override_reason="") & Q(overridden_by__isnull=True))
                | (~Q(override_reason="") & Q(overridden_by__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"{self.nominee_name} → {self.group}"

    @property
    def masked_phone(self) -> str:
        return f"{self.nominee_phone[:3]}••••••{self.nominee_phone[-4:]}"

    @property
    def register_match_ids(self) -> list[int]:
        """Register entries the last screening matched."""
        return sorted({int(hit["entry"]) for hit in self.screening})

    @property
    def is_blocked(self) -> bool:
        """A register match that no IC override covers blocks approval."""
        return bool(set(self.register_match_ids) - {int(i) for i in self.override_entry_ids})


class ExclusionCategory(models.TextChoices):
    TOUT = "tout", _("Tout / dalal (lobbies on others' cases)")
    BAD_REPUTATION = "bad_reputation", _("Bad reputation")
    CRIMINAL_RECORD = "criminal_record", _("Criminal record")
    REMOVED_FOR_MISCONDUCT = "removed_for_misconduct", _("Removed from a group for misconduct")
    OTHER = "other", _("Other")


class ExclusionEntry(models.Model):
    """A person the district keeps out of its groups. Restricted: never shown to the person."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("reason"), max_length=32, choices=ExclusionCategory.choices)
    note = models.TextField(
        _("note (restricted)"),
        blank=True,
        help_text=_("Seen only by the district's heads and station in-charges."),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)
    from_membership = models.ForeignKey(
        "Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exclusion register entry")
        verbose_name_plural = _("exclusion register")
        constraints = [
            models.CheckConstraint(
                name="exclusion_withdrawal_is_complete",
                condition=(Q(withdrawn_at__isnull=True) & Q(withdrawn_by__isnull=True))
                | (
                    Q(withdrawn_at__isnull=False)
                    & Q(withdrawn_by__isnull=False)
                    & ~Q(withdraw_reason="")
                ),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_category_display()})"

    @property
    def is_in_force(self) -> bool:
        """Not withdrawn and not expired (expiry is the last day in force)."""
        from django.utils import timezone

        today = timezone.localdate()
        return self.withdrawn_at is None and (self.expires_on is None or self.expires_on >= today)


class ExclusionName(models.Model):
    """A name (or alias) of a register entry, with its cross-script phonetic key."""

    entry = models.ForeignKey(ExclusionEntry, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(max_length=200, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("register name")
        verbose_name_plural = _("register names")
        constraints = [
            models.UniqueConstraint(fields=["entry", "name"], name="exclusion_name_once_per_entry")
        ]

    def __str__(self) -> str:
        return self.name


class ExclusionPhone(models.Model):
    """A phone number of a register entry (E.164, matched exactly)."""

    entry = models.ForeignKey(ExclusionEntry, on_delete=models.CASCADE, related_name="phones")
    phone = models.CharField(_("phone (E.164)"), max_length=16, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("register phone")
        verbose_name_plural = _("register phones")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "phone"], name="exclusion_phone_once_per_entry"
            ),
            models.CheckConstraint(name="exclusion_phone_is_e164", condition=Q(phone__regex=E164)),
        ]

    def __str__(self) -> str:
        return f"{self.phone[:3]}••••••{self.phone[-4:]}"


class ExclusionUserId(models.Model):
    """A WhatsApp user id (BSUID) of a register entry: a person who hides their number behind a
    username is matched by it (and by the phone their citizen record holds, once known)."""

    entry = models.ForeignKey(ExclusionEntry, on_delete=models.CASCADE, related_name="user_ids")
    whatsapp_user_id = models.CharField(_("WhatsApp user id"), max_length=140, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("register WhatsApp user id")
        verbose_name_plural = _("register WhatsApp user ids")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "whatsapp_user_id"], name="exclusion_user_id_once_per_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"WhatsApp {self.whatsapp_user_id[:3]}…{self.whatsapp_user_id[-4:]}"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # holds a seat
    REMOVED = "removed", _("Removed")  # taken out by an admin, with a reason; seat freed
    LEFT = "left", _("Left")  # left the WhatsApp group; seat freed


class Membership(models.Model):
    """A seat in a group held by a citizen, from an approved nomination."""

    group = models.ForeignKey(CommunityGroup, on_delete=models.PROTECT, related_name="memberships")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="+")
    nomination = models.OneToOneField(
        Nomination, on_delete=models.PROTECT, related_name="membership"
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
        db_index=True,
    )
    joined_on = models.DateField(_("joined on"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(_("removal reason"), blank=True)
    removal_proposed_at = models.DateTimeField(_("removal proposed at"), null=True, blank=True)
    invite_delivery = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invite message"),
    )
    invite_error = models.CharField(_("invite problem"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["citizen__name", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "citizen"],
                condition=Q(status="active"),
                name="membership_one_active_per_person",
            ),
            models.CheckConstraint(
                name="membership_end_matches_status",
                condition=(Q(status="active") & Q(ended_at__isnull=True))
                | (Q(status="left") & Q(ended_at__isnull=False))
                | (Q(status="removed") & Q(ended_at__isnull=False) & ~Q(removal_reason="")),
            ),
        ]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return f"{self.citizen.name} @ {self.group}"


class IncidentKind(models.TextChoices):
    GREETING_SPAM = "greeting_spam", _("Greeting spam ('good morning' forwards)")
    RUMOUR = "rumour", _("Rumour forwarding")
    ID_CARD = "id_card", _("Demanding an ID card / claiming to represent the police")
    TOUTING = "touting", _("Touting on cases")
    ABUSE = "abuse", _("Abuse")
    OTHER = "other", _("Other")


class ConductIncident(models.Model):
    """Something a member did in the group that an admin logged; each incident is a strike."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("date"))
    description = models.TextField(_("what happened"), blank=True)
    strike_number = models.PositiveSmallIntegerField(_("strike"))
    warning_text = models.TextField(_("warning text (member's language)"))
    warning_language = models.CharField(max_length=8)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    request_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-logged_at", "-id"]
        verbose_name = _("conduct incident")
        verbose_name_plural = _("conduct incidents")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "strike_number"], name="incident_strike_number_unique"
            ),
            models.CheckConstraint(
                name="incident_strike_positive", condition=Q(strike_number__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_on})"
