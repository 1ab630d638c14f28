"""The jurisdiction tree: state > district (or commissionerate) > police station."""

from __future__ import annotations

from django.db import models
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("district or commissionerate")
        verbose_name_plural = _("districts and commissionerates")

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
