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


def pdf_bytes(*, active: str = "", text: str = "Receipt No. 4417") -> bytes:
    """A real one-page PDF (written by pypdf) titled `text`, with one kind of active content
    when `active` names it: javascript (a document script), open_action_js, open_action_page
    (a plain destination, not active), page_aa, launch, attachment, xfa, rich_media,
    submit_form, javascript_uri; or "encrypted" (password-protected)."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject
    from pypdf.generic import TextStringObject as Text

    def obj(**entries: object) -> DictionaryObject:
        return DictionaryObject({NameObject(f"/{k}"): v for k, v in entries.items()})

    def action(kind: str, **entries: object) -> DictionaryObject:
        return obj(S=NameObject(kind), **entries)

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    root, script = writer._root_object, Text("app.alert('x')")

    def annotate(subtype: str = "/Link", **entries: object) -> None:
        rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)])
        note = obj(Type=NameObject("/Annot"), Subtype=NameObject(subtype), Rect=rect, **entries)
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(note)])

    def scripts() -> None:
        named = ArrayObject([Text("init"), action("/JavaScript", JS=script)])
        root[NameObject("/Names")] = obj(JavaScript=obj(Names=named))

    builders = {
        "": lambda: None,
        "javascript": scripts,
        "open_action_js": lambda: root.update(obj(OpenAction=action("/JavaScript", JS=script))),
        "open_action_page": lambda: root.update(
            obj(OpenAction=ArrayObject([page.indirect_reference, NameObject("/Fit")]))
        ),
        "page_aa": lambda: page.update(obj(AA=obj(O=action("/JavaScript", JS=script)))),
        "launch": lambda: annotate(A=action("/Launch", F=Text("cmd.exe"))),
        "attachment": lambda: writer.add_attachment("payload.exe", b"MZ\x90\x00"),
        "xfa": lambda: root.update(obj(AcroForm=obj(Fields=ArrayObject(), XFA=Text("<xdp/>")))),
        "rich_media": lambda: annotate("/RichMedia"),
        "submit_form": lambda: annotate(A=action("/SubmitForm", F=Text("http://x.example"))),
        "javascript_uri": lambda: annotate(A=action("/URI", URI=Text("javascript:alert(1)"))),
        "encrypted": lambda: writer.encrypt(user_password="", owner_password="owner"),
    }
    builders[active]()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
