"""WhatsApp messages whose station is unknown wait in the district's queue; SOS alerts; the
SLA policy editable by admins (time-machine, no sleeps); the victim's photo encrypted at rest."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from broadcasts import demo as broadcasts_demo
from broadcasts.models import Delivery
from complaints import casework_selectors, services
from complaints.models import (
    Complaint,
    ComplaintEvent,
    IdentityAccessLog,
    SlaPolicy,
    UnroutedMessage,
    VictimIdentity,
)
from tests.factories.complaints_intake import PLANTED_NAME, make_complaint
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
SENDER = "+919000000077"


def _whatsapp(citizen=None, *, wamid: str = "wamid.U1", text: str = "Someone follows me"):  # type: ignore[no-untyped-def]
    return services.complaint_from_whatsapp(
        message_id=wamid, from_phone=SENDER, text=text, citizen=citizen
    )


@pytest.fixture
def stationless(world):  # type: ignore[no-untyped-def]
    return CitizenFactory(phone=SENDER, name=PLANTED_NAME, station=None, district=world.district)


class TestUnroutedQueue:
    def test_a_citizen_without_a_station_waits_in_the_district_queue_once(
        self, world, stationless
    ) -> None:
        assert _whatsapp(stationless) is None
        assert _whatsapp(stationless) is None  # delivered twice
        message = UnroutedMessage.objects.get()
        assert (message.district, message.complaint) == (world.district, None)
        assert message.sender_name == PLANTED_NAME and message.from_phone == SENDER
        assert Complaint.objects.count() == 0

    def test_an_unknown_sender_goes_to_the_configured_district(self, world, settings) -> None:
        settings.COMPLAINTS_WHATSAPP_DISTRICT = world.district.code
        _whatsapp(None, text="SOS he is outside")
        message = UnroutedMessage.objects.get()
        assert message.district == world.district and message.is_sos

    def test_without_a_district_the_message_is_dropped(self, world) -> None:
        assert _whatsapp(None) is None
        assert UnroutedMessage.objects.count() == 0

    def test_the_district_head_and_shakti_incharge_see_it_and_others_do_not(
        self, world, stationless
    ) -> None:
        _whatsapp(stationless)
        for role in (Role.DISTRICT_HEAD, Role.SHAKTI_INCHARGE):
            assert casework_selectors.unrouted_queue(user=world.user(role)).count() == 1
        for role in (Role.STATION_IC, Role.STATION_OFFICER, Role.STATE_HQ, Role.NGO_COORDINATOR):
            assert casework_selectors.unrouted_queue(user=world.user(role)).count() == 0
        for user in world.strangers.values():
            assert casework_selectors.unrouted_queue(user=user).count() == 0

    def test_routing_makes_one_complaint_at_the_station_and_acknowledges(
        self, world, stationless
    ) -> None:
        broadcasts_demo.seed_sandbox_templates()
        _whatsapp(stationless)
        message = UnroutedMessage.objects.get()
        head = world.user(Role.DISTRICT_HEAD)
        complaint = services.route_unrouted(
            message=message, station=world.sibling_station, by=head, category="stalking"
        )
        assert (complaint.station, complaint.channel, complaint.category) == (
            world.sibling_station,
            "whatsapp",
            "stalking",
        )
        assert complaint.inbound_wamid == "wamid.U1"
        assert VictimIdentity.objects.get(complaint=complaint).name == PLANTED_NAME
        assert complaint.events.filter(kind=ComplaintEvent.Kind.ROUTED).exists()
        ack = Delivery.objects.get(purpose="complaints.ack")
        assert ack.parameters[0] == complaint.tracking_number
        message.refresh_from_db()
        assert message.complaint == complaint
        with pytest.raises(ValidationError):
            services.route_unrouted(message=message, station=world.station, by=head)
        assert Complaint.objects.count() == 1
        # Delivered again after routing: still one complaint.
        _whatsapp(stationless)
        assert Complaint.objects.count() == 1

    def test_routing_to_another_district_or_by_others_is_refused(self, world, stationless) -> None:
        _whatsapp(stationless)
        message = UnroutedMessage.objects.get()
        with pytest.raises(ValidationError):
            services.route_unrouted(
                message=message,
                station=world.neighbour_station,
                by=world.user(Role.DISTRICT_HEAD),
            )
        with pytest.raises(PermissionDenied):
            services.route_unrouted(
                message=message, station=world.station, by=world.user(Role.STATION_IC)
            )
        with pytest.raises(PermissionDenied):
            services.route_unrouted(
                message=message,
                station=world.station,
                by=world.strangers[Role.DISTRICT_HEAD],
            )
        assert Complaint.objects.count() == 0

    def test_queue_page_and_api_scoping(self, world, login, stationless) -> None:
        _whatsapp(stationless)
        message = UnroutedMessage.objects.get()
        head = login(world.user(Role.DISTRICT_HEAD))
        page = head.get(reverse("complaints:unrouted_queue"))
        assert page.status_code == 200 and b'data-testid="unrouted-row"' in page.content
        assert PLANTED_NAME.encode() not in page.content and SENDER.encode() not in page.content
        listed = head.get(reverse("api:complaints-unrouted-list")).json()
        assert listed["count"] == 1 and PLANTED_NAME not in str(listed)
        assert (
            login(world.strangers[Role.STATION_IC])
            .get(reverse("complaints:unrouted_queue"))
            .status_code
            == 404
        )
        own_queue = login(world.strangers[Role.DISTRICT_HEAD]).get(
            reverse("complaints:unrouted_queue")
        )
        assert own_queue.status_code == 200 and b"unrouted-row" not in own_queue.content
        for role in (Role.DISTRICT_HEAD, Role.STATION_IC):
            stranger = login(world.strangers[role])
            route = reverse("complaints:unrouted_route", args=[message.pk])
            assert (
                stranger.post(route, {f"m{message.pk}-station": world.station.pk}).status_code
                == 404
            )
            api = reverse("api:complaints-unrouted-route", args=[message.pk])
            assert stranger.post(api, {"station": world.station.pk}).status_code == 404
            assert stranger.get(reverse("api:complaints-unrouted-list")).json()["count"] == 0
        assert Complaint.objects.count() == 0
        response = head.post(
            reverse("complaints:unrouted_route", args=[message.pk]),
            {f"m{message.pk}-station": world.station.pk, f"m{message.pk}-category": "other"},
        )
        assert response.status_code == 302
        assert Complaint.objects.get().station == world.station

    def test_a_bad_station_on_the_api_is_a_clear_400(self, world, login, stationless) -> None:
        _whatsapp(stationless)
        message = UnroutedMessage.objects.get()
        head = login(world.user(Role.DISTRICT_HEAD))
        api = reverse("api:complaints-unrouted-route", args=[message.pk])
        response = head.post(api, {"station": world.neighbour_station.pk})
        assert response.status_code == 400 and "station" in response.json()
        assert Complaint.objects.count() == 0


class TestSosAlerts:
    def test_open_sos_complaints_of_the_users_area_only(self, world) -> None:
        sos = make_complaint(station=world.station, is_sos=True)
        make_complaint(station=world.station)
        make_complaint(station=world.other_station, is_sos=True)
        ic = world.user(Role.STATION_IC)
        assert list(casework_selectors.open_sos_alerts(user=ic)) == [sos]
        services.change_status(complaint=sos, status="withdrawn", by=ic)
        assert not casework_selectors.open_sos_alerts(user=ic).exists()

    def test_the_sos_alert_api_is_scoped(self, world, login) -> None:
        sos = make_complaint(station=world.station, is_sos=True)
        url = reverse("api:complaints-sos-alert-list")
        rows = login(world.user(Role.STATION_IC)).get(url).json()["results"]
        assert [r["tracking_number"] for r in rows] == [sos.tracking_number]
        assert PLANTED_NAME not in str(rows)
        assert login(world.strangers[Role.STATION_IC]).get(url).json()["count"] == 0


class TestSlaPolicy:
    def test_without_a_row_the_settings_decide(self, world, settings) -> None:
        settings.COMPLAINTS_SLA_WORKING_DAYS = {"*": 7, "stalking": 3}
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=IST), tick=False):  # Monday
            complaint = make_complaint(station=world.station, category="stalking")
        assert complaint.due_on == dt.date(2026, 3, 5)

    def test_an_admin_row_overrides_the_settings(self, world, settings) -> None:
        settings.COMPLAINTS_SLA_WORKING_DAYS = {"*": 7, "stalking": 3}
        SlaPolicy.objects.create(category="stalking", working_days=10)
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=IST), tick=False):
            complaint = make_complaint(station=world.station, category="stalking")
        # Ten working days from Monday 2 March, skipping Sunday 8 March.
        assert complaint.due_on == dt.date(2026, 3, 13)

    def test_sos_hours_can_carry_the_due_date_into_the_next_day(self, world) -> None:
        SlaPolicy.objects.create(category="domestic_violence", working_days=3, sos_hours=6)
        with time_machine.travel(dt.datetime(2026, 3, 2, 21, tzinfo=IST), tick=False):
            late = make_complaint(station=world.station, category="domestic_violence", is_sos=True)
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=IST), tick=False):
            early = make_complaint(station=world.station, category="domestic_violence", is_sos=True)
            plain = make_complaint(station=world.station, category="eve_teasing", is_sos=True)
        assert late.due_on == dt.date(2026, 3, 3)
        assert early.due_on == dt.date(2026, 3, 2)
        assert plain.due_on == dt.date(2026, 3, 2)  # no row: same day

    def test_overdue_escalation_follows_the_policy(self, world, settings) -> None:
        settings.COMPLAINTS_DISTRICT_GRACE_HOURS = 24
        SlaPolicy.objects.create(category="stalking", working_days=1)
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=IST), tick=False):
            complaint = make_complaint(station=world.station, category="stalking")
        assert complaint.due_on == dt.date(2026, 3, 3)
        with time_machine.travel(dt.datetime(2026, 3, 3, 23, tzinfo=IST), tick=False):
            assert services.escalate_overdue().to_station_ic == 0
        with time_machine.travel(dt.datetime(2026, 3, 4, 8, tzinfo=IST), tick=False):
            assert services.escalate_overdue().to_station_ic == 1
        with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=IST), tick=False):
            assert services.escalate_overdue().to_district == 1
        complaint.refresh_from_db()
        assert complaint.escalation_level == 2

    def test_the_policy_is_editable_in_the_django_admin(self, login, admin_user_) -> None:
        client = login(admin_user_)
        response = client.post(
            reverse("admin:complaints_slapolicy_add"),
            {"category": "cyber_fraud", "working_days": "4", "sos_hours": "0"},
        )
        assert response.status_code == 302, response.content[:500]
        assert services.sla_days("cyber_fraud") == 4
        bad = client.post(
            reverse("admin:complaints_slapolicy_add"),
            {"category": "stalking", "working_days": "0", "sos_hours": "0"},
        )
        assert bad.status_code == 200 and not SlaPolicy.objects.filter(category="stalking").exists()


def _jpeg(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="JPEG")
    return buffer.getvalue()


class TestIdentityPhoto:
    def test_the_photo_is_stored_encrypted_outside_media_and_shown_only_on_reveal(
        self, world, login, settings
    ) -> None:
        complaint = make_complaint(station=world.station)
        ic = login(world.user(Role.STATION_IC))
        upload = SimpleUploadedFile("victim.jpg", _jpeg(), content_type="image/jpeg")
        response = ic.post(
            reverse("complaints:complaint_photo", args=[complaint.pk]), {"photo": upload}
        )
        assert response.status_code == 302
        identity = VictimIdentity.objects.get(complaint=complaint)
        stored = identity.photo.path
        assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        with open(stored, "rb") as handle:
            raw = handle.read()
        assert b"JFIF" not in raw and not raw.startswith(b"\xff\xd8")
        detail = ic.get(reverse("complaints:complaint_detail", args=[complaint.pk]))
        assert b"data:image/jpeg;base64," not in detail.content
        assert IdentityAccessLog.objects.count() == 0
        shown = ic.post(
            reverse("complaints:complaint_identity", args=[complaint.pk]), {"reason": "Visit"}
        )
        assert b'data-testid="identity-photo"' in shown.content
        assert b"data:image/jpeg;base64," in shown.content
        assert IdentityAccessLog.objects.count() == 1

    @pytest.mark.parametrize(
        ("name", "content"),
        [("notes.txt", b"not an image at all"), ("empty.jpg", b"")],
    )
    def test_bad_files_get_a_clear_error_and_nothing_is_stored(
        self, world, login, name, content
    ) -> None:
        complaint = make_complaint(station=world.station)
        ic = login(world.user(Role.STATION_IC))
        response = ic.post(
            reverse("complaints:complaint_photo", args=[complaint.pk]),
            {"photo": SimpleUploadedFile(name, content)},
        )
        assert response.status_code == 400
        assert b'data-testid="error-photo"' in response.content
        assert not VictimIdentity.objects.get(complaint=complaint).photo

    def test_a_too_large_file_is_refused_with_its_size(self, world, login, settings) -> None:
        settings.UPLOAD_MAX_BYTES = 100
        complaint = make_complaint(station=world.station)
        ic = login(world.user(Role.STATION_IC))
        response = ic.post(
            reverse("complaints:complaint_photo", args=[complaint.pk]),
            {"photo": SimpleUploadedFile("big.jpg", _jpeg())},
        )
        assert response.status_code == 400 and b"largest allowed" in response.content

    def test_only_identity_roles_may_add_it_and_foreign_users_get_404(self, world, login) -> None:
        complaint = make_complaint(station=world.station)
        url = reverse("complaints:complaint_photo", args=[complaint.pk])
        for user, expected in [
            (world.user(Role.STATION_OFFICER), 403),
            (world.user(Role.DISTRICT_HEAD), 403),
            (world.strangers[Role.STATION_IC], 404),
        ]:
            upload = SimpleUploadedFile("v.jpg", _jpeg())
            assert login(user).post(url, {"photo": upload}).status_code == expected
        assert not VictimIdentity.objects.get(complaint=complaint).photo

    def test_replacing_the_photo_removes_the_old_file(
        self, world, django_capture_on_commit_callbacks
    ) -> None:
        import os

        complaint = make_complaint(station=world.station)
        ic = world.user(Role.STATION_IC)
        services.attach_identity_photo(
            complaint=complaint, by=ic, upload=SimpleUploadedFile("a.jpg", _jpeg("red"))
        )
        first = VictimIdentity.objects.get(complaint=complaint).photo.path
        with django_capture_on_commit_callbacks(execute=True):
            services.attach_identity_photo(
                complaint=complaint, by=ic, upload=SimpleUploadedFile("b.jpg", _jpeg("blue"))
            )
        assert not os.path.exists(first)
        identity = VictimIdentity.objects.get(complaint=complaint)
        assert services.identity_photo_data_uri(identity).startswith("data:image/jpeg;base64,")
