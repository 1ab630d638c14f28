"""Outreach and partners: awareness drives, NGOs, their members, campaigns and activities.

"Locations" of awareness drives: a drive is held at one place; the number of locations in a
period is the number of distinct places among the drives of that period, counted per station
(`place_key`, the place name folded to lower case with spaces collapsed). A school visited twice
is one location; two stations' "Government Girls Inter College" are two.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from stations.models import District, Hotspot, State, Station, private_storage


def place_key(place: str) -> str:
    """The place name as locations are counted: lower case, spaces collapsed."""
    return re.sub(r"\s+", " ", place).strip().casefold()[:200]


class Ngo(models.Model):
    """A registered NGO that works with the police in some districts."""

    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("name (local script)"), max_length=200, blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=60,
        unique=True,
        help_text=_("Society/trust registration or NGO Darpan id."),
    )
    districts = models.ManyToManyField(
        District, related_name="ngos", verbose_name=_("districts of work")
    )
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("NGO")
        verbose_name_plural = _("NGOs")
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_number__regex=r"\S"), name="ngo_has_registration_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NgoMembership(models.Model):
    """Binds a user (an NGO coordinator) to the NGO whose records they keep."""

    ngo = models.ForeignKey(
        Ngo, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("NGO")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ngo_memberships",
        verbose_name=_("user"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    history = HistoricalRecords()

    class Meta:
        ordering = ["ngo", "user"]
        verbose_name = _("NGO membership")
        verbose_name_plural = _("NGO memberships")
        constraints = [
            models.UniqueConstraint(fields=["ngo", "user"], name="ngo_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.ngo}"


class Campaign(models.Model):
    """A state programme the police and NGOs work under (Sambal, Srijan, Mission Shakti 5.0...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_local = models.CharField(_("name (local script)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("state"),
        help_text=_("The state that runs it; empty for a national programme."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignMetric(models.TextChoices):
    """What a campaign target counts."""

    # NGO activities logged under the campaign in the district.
    ACTIVITIES = "activities", _("NGO activities")
    # Persons reached by NGO activities plus people reached by awareness drives.
    PERSONS_REACHED = "persons_reached", _("Persons reached")
    # Persons rescued by NGO activities (rescue operations, trafficking, bonded labour).
    PERSONS_RESCUED = "persons_rescued", _("Persons rescued")
    # Awareness drives held under the campaign at the district's stations.
    DRIVES = "drives", _("Awareness drives")


class CampaignTarget(models.Model):
    """A campaign's target for one district and one metric."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("campaign")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="campaign_targets"
    )
    metric = models.CharField(_("metric"), max_length=32, choices=CampaignMetric.choices)
    target_value = models.PositiveIntegerField(_("target"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "district", "metric"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "district", "metric"], name="campaign_target_unique"
            ),
            models.CheckConstraint(
                condition=Q(target_value__gte=1), name="campaign_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.district} · {self.get_metric_display()}"


class Audience(models.TextChoices):
    """Who an awareness drive addressed."""

    WOMEN = "women", _("Women")
    GIRL_STUDENTS = "girl_students", _("Girl students")
    BOYS = "boys", _("Boys")
    MIXED = "mixed", _("Mixed")


# Audiences counted as "women and girl students reached" in the review report.
WOMEN_AND_GIRLS = (Audience.WOMEN, Audience.GIRL_STUDENTS)


class Topic(models.TextChoices):
    """What an awareness drive covered (several per drive)."""

    LEGAL_RIGHTS = "legal_rights", _("Legal rights")
    HELPLINES = "helplines", _("Helplines 112 / 1090 / 181 / 1930")
    CYBER_SAFETY = "cyber_safety", _("Cyber safety")
    SELF_DEFENCE = "self_defence", _("Self-defence")
    POCSO = "pocso", _("POCSO Act")
    GOOD_TOUCH_BAD_TOUCH = "good_touch_bad_touch", _("Good touch, bad touch")


class AwarenessDrive(models.Model):
    """An awareness session held by the police (or an NGO with them) at one place."""

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="awareness_drives",
        verbose_name=_("police station"),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    place_key = models.CharField(max_length=200, editable=False)
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awareness_drives",
        verbose_name=_("hotspot"),
    )
    organiser_ngo = models.ForeignKey(
        Ngo,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drives",
        verbose_name=_("organised by NGO"),
        help_text=_("Empty when the police organised it."),
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    people_reached = models.PositiveIntegerField(_("people reached"))
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drives",
        verbose_name=_("campaign"),
    )
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
        ordering = ["-held_on", "-id"]
        verbose_name = _("awareness drive")
        verbose_name_plural = _("awareness drives")
        indexes = [models.Index(fields=["station", "held_on"], name="drive_station_date")]
        constraints = [
            models.CheckConstraint(condition=Q(people_reached__gte=1), name="drive_reached_some"),
            models.CheckConstraint(condition=Q(place_key__regex=r"\S"), name="drive_has_place"),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.held_on:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.place_key = place_key(self.place)  # derived, never typed by anyone
        super().save(*args, **kwargs)

    @property
    def organiser_label(self) -> str:
        """The organising NGO's name, or "Police"."""
        if self.organiser_ngo_id and self.organiser_ngo:
            return self.organiser_ngo.name
        return str(_("Police"))


class DriveTopic(models.Model):
    """One topic covered by a drive."""

    drive = models.ForeignKey(AwarenessDrive, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)

    class Meta:
        ordering = ["drive", "topic"]
        verbose_name = _("drive topic")
        verbose_name_plural = _("drive topics")
        constraints = [
            models.UniqueConstraint(fields=["drive", "topic"], name="drive_topic_unique"),
        ]

    def __str__(self) -> str:
        return str(self.get_topic_display())


class DrivePhoto(models.Model):
    """A photo of a drive (checked to be a real JPEG/PNG/WebP, metadata stripped)."""

    drive = models.ForeignKey(AwarenessDrive, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        _("photo"), storage=private_storage, upload_to="drives/%Y/%m/", max_length=200
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["drive", "id"]
        verbose_name = _("drive photo")
        verbose_name_plural = _("drive photos")

    def __str__(self) -> str:
        return str(self.image.name)


class NgoActivityKind(models.TextChoices):
    """The NGO work the MP women safety branch tracks with the police."""

    RESCUE_OPERATION = "rescue_operation", _("Rescue operation")
    POCSO_AWARENESS = "pocso_awareness", _("POCSO Act awareness")
    JJ_ACT = "jj_act", _("Juvenile Justice Act")
    GOOD_TOUCH_BAD_TOUCH = "good_touch_bad_touch", _("Good touch, bad touch")
    GENDER_EQUALITY = "gender_equality", _("Gender equality")
    BONDED_LABOUR = "bonded_labour", _("Bonded labour")
    MISSING_GIRLS = "missing_girls", _("Missing girls")
    CHILD_MARRIAGE = "child_marriage", _("Child marriage")
    TRAFFICKING = "trafficking", _("Human trafficking")
    COUNSELLING_CAMP = "counselling_camp", _("Counselling camp")


class NgoActivity(models.Model):
    """One piece of NGO work, logged by the NGO and verified by the police of its district."""

    ngo = models.ForeignKey(
        Ngo, on_delete=models.PROTECT, related_name="activities", verbose_name=_("NGO")
    )
    kind = models.CharField(_("activity"), max_length=32, choices=NgoActivityKind.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="ngo_activities",
        verbose_name=_("district"),
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ngo_activities",
        verbose_name=_("police station"),
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    persons_reached = models.PositiveIntegerField(_("persons reached"), default=0)
    persons_rescued = models.PositiveIntegerField(_("persons rescued"), default=0)
    description = models.TextField(_("what was done"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.CharField(_("verification note"), max_length=300, blank=True)
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("NGO activity")
        verbose_name_plural = _("NGO activities")
        indexes = [
            models.Index(fields=["ngo", "held_on"], name="ngoactivity_ngo_date"),
            models.Index(fields=["district", "held_on"], name="ngoactivity_district_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True, verified_at__isnull=True)
                | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="ngoactivity_verified_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ngo} · {self.get_kind_display()} · {self.held_on:%Y-%m-%d}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
