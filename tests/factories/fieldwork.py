"""Factories for stations' field work: hotspots, patrols, CCTV, audits and action items."""

from datetime import timedelta

import factory
from django.utils import timezone

from stations.models import ActionItem, CctvCoverage, Hotspot, Patrol, ResourceAudit
from tests.factories.accounts import UserFactory
from tests.factories.stations import StationFactory


class HotspotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hotspot

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"Girls' Inter College {n}")
    kind = Hotspot.Kind.SCHOOL


class PatrolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patrol

    hotspot = factory.SubFactory(HotspotFactory)
    # An hour ago (microseconds keep two patrols of one hotspot apart).
    patrolled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    team = "SI Rekha Verma, HC Mohan"
    recorded_by = factory.SubFactory(UserFactory)


class CctvCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CctvCoverage

    hotspot = factory.SubFactory(HotspotFactory)
    status = CctvCoverage.Status.INSTALLED
    cameras = 4
    checked_on = factory.LazyFunction(timezone.localdate)
    checked_by = factory.SubFactory(UserFactory)


class ResourceAuditFactory(factory.django.DjangoModelFactory):
    """An audit row only; use stations.services.record_resource_audit for real checklists."""

    class Meta:
        model = ResourceAudit

    station = factory.SubFactory(StationFactory)
    audited_on = factory.Sequence(lambda n: timezone.localdate() - timedelta(days=n + 1))
    audited_by = factory.SubFactory(UserFactory)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    raised_in = factory.SubFactory(ResourceAuditFactory)
    station = factory.SelfAttribute("raised_in.station")
    item = "computers"
    description = "Help-desk computer out of order."
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A real, small image in the given Pillow format."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    """An uploaded file as a form or API would receive it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
