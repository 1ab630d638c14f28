"""Property tests (hypothesis): phone normalisation and the three status machines.

Each property runs a few hundred generated cases; the figures in docs/security.md come from
the `PROPERTY` lines these tests print (run with -s, or see the captured output).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import phonenumbers
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from broadcasts.models import STATUS_RANK, Delivery, DeliveryStatus
from broadcasts.services import StatusUpdate, apply_status_update
from complaints import services as complaint_services
from complaints.models import COMPLAINT_TRANSITIONS, Complaint, ComplaintStatus
from groups.models import NOMINATION_TRANSITIONS, Nomination, NominationStatus
from groups.services import GroupsError, _move
from people.phones import InvalidPhone, normalize_mobile
from tests.factories.complaints_intake import make_complaint
from tests.factories.people import CitizenFactory

DEVANAGARI = {str(d): chr(0x0966 + d) for d in range(10)}
BENGALI = {str(d): chr(0x09E6 + d) for d in range(10)}
DB_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- Phone normalisation ---------------------------------------------------------------------

national_mobiles = st.builds(
    lambda first, rest: first + "".join(rest),
    st.sampled_from("6789"),
    st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9),
).filter(
    lambda n: (
        phonenumbers.number_type(phonenumbers.parse(n, "IN"))
        in {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    )
)


def _grouped(digits: str, separator: str, split: int) -> str:
    return digits[:split] + separator + digits[split:]


@st.composite
def written_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """(how a person might write a valid mobile, its E.164 form)."""
    national = draw(national_mobiles)
    separator = draw(st.sampled_from(["", " ", "-", "  ", ".", " - "]))
    split = draw(st.integers(min_value=1, max_value=9))
    body = _grouped(national, separator, split)
    prefix = draw(st.sampled_from(["", "+91", "+91 ", "+91-", "0", "0 ", "91", "(+91) ", "+91 ("]))
    if prefix == "91":
        body = national  # "919876543210": only unambiguous without separators
    if prefix.endswith("("):
        body = body + ")"
    written = prefix + body
    script = draw(st.sampled_from(["latin", "devanagari", "bengali"]))
    if script != "latin":
        table = DEVANAGARI if script == "devanagari" else BENGALI
        written = "".join(table.get(ch, ch) for ch in written)
    padding = draw(st.sampled_from(["", " ", "\t", "  "]))
    return padding + written + padding, "+91" + national


@settings(max_examples=400, deadline=None, database=None)
@given(written_mobiles())
def test_every_valid_mobile_in_any_common_writing_normalises_to_e164(case: tuple[str, str]) -> None:
    written, expected = case
    assert normalize_mobile(written) == expected
    assert normalize_mobile(expected) == expected  # idempotent


@settings(max_examples=600, deadline=None, database=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789+- ()०१२३४५६७८९৯৮", max_size=20)))
def test_normalise_returns_e164_or_raises_invalid_phone_and_nothing_else(raw: str) -> None:
    try:
        result = normalize_mobile(raw)
    except InvalidPhone as refusal:
        assert refusal.problem.value in {"empty", "invalid", "landline"}
        return
    assert result.startswith("+") and result[1:].isdigit() and 8 <= len(result) <= 16
    assert normalize_mobile(result) == result


@pytest.mark.parametrize(
    "landline", ["0522 2234567", "011-23456789", "033 2248 1234", "+91 542 250 1234"]
)
def test_landlines_are_refused_as_landlines(landline: str) -> None:
    with pytest.raises(InvalidPhone) as refusal:
        normalize_mobile(landline)
    assert refusal.value.problem.value == "landline"


# --- Nomination status machine ---------------------------------------------------------------

nomination_statuses = st.sampled_from(NominationStatus.values)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(nomination_statuses, max_size=12))
def test_nominations_only_move_along_the_machine(targets: list[str]) -> None:
    nomination = Nomination(status=NominationStatus.SUBMITTED)
    history = [nomination.status]
    for target in targets:
        before = nomination.status
        try:
            _move(nomination, target)
        except GroupsError as refusal:
            assert refusal.code == "invalid_transition"
            assert target not in NOMINATION_TRANSITIONS[before]
            assert nomination.status == before
            continue
        assert target in NOMINATION_TRANSITIONS[before]
        history.append(nomination.status)
    # A final decision is never undone, and nobody is approved without being screened.
    for earlier, later in itertools.pairwise(history):
        assert earlier not in {NominationStatus.APPROVED, NominationStatus.REJECTED}, history
        assert later != earlier
    if NominationStatus.APPROVED in history:
        assert NominationStatus.SCREENED in history


# --- Complaint status machine (through the real service, on PostgreSQL) ----------------------


@pytest.fixture
def station_complaint(world):  # type: ignore[no-untyped-def]
    ic = world.user(Role.STATION_IC)
    return world, ic


@pytest.mark.django_db
@DB_SETTINGS
@given(targets=st.lists(st.sampled_from(ComplaintStatus.values), max_size=8), note=st.booleans())
def test_complaints_never_reach_an_illegal_status(station_complaint, targets, note) -> None:  # type: ignore[no-untyped-def]
    world, ic = station_complaint
    complaint = make_complaint(station=world.station, by=ic)
    Complaint.objects.filter(pk=complaint.pk).update(assigned_to=ic)
    complaint.refresh_from_db()
    history = [complaint.status]
    for target in targets:
        before = Complaint.objects.get(pk=complaint.pk).status
        try:
            complaint = complaint_services.change_status(
                complaint=complaint, status=target, by=ic, note="Resolved." if note else ""
            )
        except ValidationError:
            assert Complaint.objects.get(pk=complaint.pk).status == before
            continue
        except PermissionDenied:  # pragma: no cover - the IC may always work on it
            raise
        assert target in COMPLAINT_TRANSITIONS[before], (before, target)
        history.append(complaint.status)
    # Terminal statuses have no way out; a closed complaint always has its summary.
    for earlier, _later in itertools.pairwise(history):
        assert COMPLAINT_TRANSITIONS[earlier], history
    final = Complaint.objects.get(pk=complaint.pk)
    if final.status == ComplaintStatus.CLOSED:
        assert final.closed_at is not None and hasattr(final, "closure")


# --- Delivery statuses from webhooks: never backwards -----------------------------------------

webhook_updates = st.lists(
    st.tuples(
        st.sampled_from(["sent", "delivered", "read", "failed", "bogus"]),
        st.integers(min_value=0, max_value=120),  # seconds after the send
        st.booleans(),  # matched by our delivery id (True) or by wamid
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture
def delivery_factory(world):  # type: ignore[no-untyped-def]
    citizen = CitizenFactory(station=world.station)

    def make(start: str) -> Delivery:
        return Delivery.objects.create(
            citizen=citizen, station=world.station, text="नमस्ते", status=start
        )

    return make


@pytest.mark.django_db
@DB_SETTINGS
@given(
    start=st.sampled_from(
        [
            DeliveryStatus.PENDING,
            DeliveryStatus.SENDING,
            DeliveryStatus.UNKNOWN,
            DeliveryStatus.SENT,
        ]
    ),
    updates=webhook_updates,
)
def test_deliveries_never_move_backwards_whatever_the_webhook_order(
    delivery_factory, start, updates
) -> None:  # type: ignore[no-untyped-def]
    delivery = delivery_factory(start)
    wamid = f"wamid.{delivery.pk}"
    sent_at = timezone.now()
    seen = [delivery.status]
    for status, seconds, by_id in updates:
        before = Delivery.objects.get(pk=delivery.pk).status
        moved = apply_status_update(
            StatusUpdate(
                status=status,
                wamid=wamid,
                delivery_id=delivery.pk if by_id else None,
                timestamp=sent_at + timedelta(seconds=seconds),
                error_code=131026 if status == "failed" else None,
                error_title="undeliverable" if status == "failed" else "",
            )
        )
        after = Delivery.objects.get(pk=delivery.pk).status
        assert STATUS_RANK[DeliveryStatus(after)] >= STATUS_RANK[DeliveryStatus(before)]
        if before in {DeliveryStatus.FAILED, DeliveryStatus.READ, DeliveryStatus.SKIPPED}:
            assert after == before, "a final status never changes"
        assert moved == (after != before)
        seen.append(after)
    ranks = [STATUS_RANK[DeliveryStatus(s)] for s in seen]
    assert ranks == sorted(ranks), seen
