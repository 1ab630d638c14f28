"""Citizens: one record per person (unique phone), with consent and opt-out (DPDP Act 2023)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import District, Station


class ConsentSource(models.TextChoices):
    """How the citizen agreed to hear from the police (recorded once, with the date)."""

    OFFICER_FORM = "officer_form", _("Entered by an officer with the citizen's consent")
    PAPER_FORM = "paper_form", _("Signed paper form")
    WEB_FORM = "web_form", _("Portal web form")
    WHATSAPP = "whatsapp", _("Asked to join on WhatsApp")
    IMPORT = "import", _("Imported list with recorded consent")
    GROUP_NOMINATION = "group_nomination", _("Community group membership")


class OptOutSource(models.TextChoices):
    """Where an opt-out came from; every one suppresses every future message the same way."""

    KEYWORD = "keyword", _("STOP keyword on WhatsApp")
    PREFERENCES_WEBHOOK = "preferences_webhook", _("WhatsApp marketing preference: stop")
    ERROR_131050 = "error_131050", _("WhatsApp error 131050: user stopped marketing messages")
    OFFICER = "officer", _("Recorded by an officer on the citizen's request")
    ERASURE = "erasure", _("Personal data erased on request")


class Tag(models.Model):
    """A label for audiences: 'traders', 'college students', 'Police Mitan 2026'."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Citizen(models.Model):
    """A person the police may message: phone in E.164, name in any script."""

    phone = models.CharField(_("phone (E.164)"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    locality = models.CharField(_("locality"), max_length=200, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="citizens", verbose_name=_("district")
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="citizens",
        verbose_name=_("police station"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="hi"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="citizens", verbose_name=_("tags"))
    consent_source = models.CharField(
        _("consent source"), max_length=32, choices=ConsentSource.choices, blank=True
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_note = models.CharField(_("consent note"), max_length=200, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True, db_index=True)
    opt_out_source = models.CharField(
        _("opt-out source"), max_length=32, choices=OptOutSource.choices, blank=True
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        indexes = [models.Index(fields=["district", "station"])]
        constraints = [
            models.CheckConstraint(
                name="citizen_phone_is_e164", condition=Q(phone__regex=r"^\+[1-9][0-9]{6,14}$")
            ),
            models.CheckConstraint(
                name="citizen_consent_has_source_and_date",
                condition=(Q(consent_source="") & Q(consent_at__isnull=True))
                | (~Q(consent_source="") & Q(consent_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="citizen_opt_out_has_source_and_date",
                condition=(Q(opt_out_source="") & Q(opted_out_at__isnull=True))
                | (~Q(opt_out_source="") & Q(opted_out_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_phone})"

    @property
    def masked_phone(self) -> str:
        """The phone with all but the last four digits hidden, for lists and logs."""
        return f"{self.phone[:3]}••••••{self.phone[-4:]}" if len(self.phone) > 7 else "••••"

    @property
    def may_receive_messages(self) -> bool:
        """Consent recorded, not opted out, not erased."""
        return bool(self.consent_at) and self.opted_out_at is None and self.erased_at is None


def messageable() -> Q:
    """The filter for citizens who may be sent business-initiated messages."""
    return Q(consent_at__isnull=False, opted_out_at__isnull=True, erased_at__isnull=True)
