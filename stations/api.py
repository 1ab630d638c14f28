"""Jurisdiction API: read-only, scoped to the caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from stations import selectors, services
from stations.idempotency import submission_token
from stations.models import (
    ActionItem,
    CctvCoverage,
    Hotspot,
    Patrol,
    ResourceAudit,
    ResourceCheck,
    ResourceItem,
    Station,
)


class StationOutput(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    district_name = serializers.CharField(source="district.name")
    state = serializers.CharField(source="district.state.code")
    phone = serializers.CharField()
    whatsapp_number = serializers.CharField()

    class Meta:
        model = Station
        fields = [
            "id",
            "code",
            "name",
            "name_local",
            "district",
            "district_name",
            "state",
            "address",
            "phone",
            "whatsapp_number",
            "is_women_station",
            "has_shakti_centre",
            "latitude",
            "longitude",
            "is_active",
        ]


class StationListApi(ListAPIView):
    """List the police stations in your jurisdiction. `?q=` filters by code or name."""

    serializer_class = StationOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.station_list(user=request.user, search=request.query_params.get("q", ""))


class StationDetailApi(RetrieveAPIView):
    """One police station in your jurisdiction; 404 for any other."""

    serializer_class = StationOutput

    def get_object(self) -> Station:
        return selectors.station_detail(user=self.request.user, pk=self.kwargs["pk"])


# --- Helpers shared by the field-work APIs (complaints and outreach import them too) ---------


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's Django ValidationError into DRF's 400 with field-keyed messages."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        raise serializers.ValidationError(detail) from exc


def idempotency_token(request: Request) -> uuid.UUID | None:
    """The row token for the request's Idempotency-Key header (None without one)."""
    return submission_token(user=request.user, key=request.headers.get("Idempotency-Key"))


def created_or_replayed(data: Any, created: bool) -> Response:
    """201 for a new row, 200 when an Idempotency-Key replay returned the first one."""
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def int_param(request: Request, name: str) -> int | None:
    """An integer query parameter, or None when absent; 400 when malformed."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise serializers.ValidationError({name: [_("Must be a whole number.")]}) from exc


def date_param(request: Request, name: str) -> date | None:
    """A YYYY-MM-DD query parameter, or None when absent; 400 when malformed."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise serializers.ValidationError({name: [_("Use the form YYYY-MM-DD.")]}) from exc


def station_param(request: Request, name: str = "station") -> Station | None:
    """The station named by a query parameter, looked up through access (404 if not yours)."""
    pk = int_param(request, name)
    return None if pk is None else access.get_station_for_user(request.user, pk)


def named_choice_field(
    choices: type[models.TextChoices], component: str, **kwargs: Any
) -> serializers.ChoiceField:
    """A ChoiceField whose enum gets its own schema name (several of our fields are "kind")."""
    if component not in _CHOICE_FIELDS:
        schema = {"type": "string", "enum": list(choices.values)}
        field_class = type(f"{component}Field", (serializers.ChoiceField,), {})
        _CHOICE_FIELDS[component] = extend_schema_field(schema, component_name=component)(
            field_class
        )
    return _CHOICE_FIELDS[component](choices=choices.choices, **kwargs)  # type: ignore[no-any-return]


_CHOICE_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


class UserRef(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class StationRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


# --- Hotspots, patrols, CCTV -------------------------------------------------------------------


class CctvOutput(serializers.ModelSerializer):
    class Meta:
        model = CctvCoverage
        fields = ["status", "cameras", "checked_on", "notes"]


class HotspotOutput(serializers.ModelSerializer):
    station = StationRef()
    kind = named_choice_field(Hotspot.Kind, "HotspotKind")
    cctv = serializers.SerializerMethodField()
    last_patrolled_at = serializers.DateTimeField(allow_null=True, required=False)

    class Meta:
        model = Hotspot
        fields = [
            "id",
            "station",
            "name",
            "kind",
            "address",
            "latitude",
            "longitude",
            "is_active",
            "cctv",
            "last_patrolled_at",
        ]

    def get_cctv(self, hotspot: Hotspot) -> dict[str, Any] | None:
        coverage = getattr(hotspot, "cctv", None) if hasattr(hotspot, "cctv") else None
        return CctvOutput(coverage).data if coverage is not None else None


class HotspotListApi(ListAPIView):
    """Hotspots at your stations, with the last patrol time and CCTV coverage.

    Filters: `?station=<id>`, `?kind=school|college|coaching|market|bus_stand|other`,
    `?inactive=1` to include retired hotspots.
    """

    serializer_class = HotspotOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.hotspot_list(
            user=request.user,
            station=station_param(request),
            kind=request.query_params.get("kind", ""),
            include_inactive=request.query_params.get("inactive") == "1",
        )


MAX_UNPATROLLED_DAYS = 3650  # ten years; beyond it the date arithmetic leaves Python's range


class HotspotUnpatrolledApi(ListAPIView):
    """Active hotspots at your stations with no patrol in `?days=N` days (default: the setting).

    Never-patrolled hotspots come first. `?station=<id>` narrows to one station.
    """

    serializer_class = HotspotOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        station = station_param(request)
        days = int_param(request, "days")
        if days is not None and not 1 <= days <= MAX_UNPATROLLED_DAYS:
            raise serializers.ValidationError(
                {
                    "days": [
                        _("Give a number of days from 1 to %(maximum)s.")
                        % {"maximum": MAX_UNPATROLLED_DAYS}
                    ]
                }
            )
        return selectors.hotspots_not_patrolled(
            user=request.user,
            days=days,
            stations=Station.objects.filter(pk=station.pk) if station else None,
        ).select_related("cctv")


class HotspotDetailApi(RetrieveAPIView):
    """One hotspot at a station of yours; 404 for any other."""

    serializer_class = HotspotOutput

    def get_object(self) -> Hotspot:
        return selectors.get_hotspot_for_user(self.request.user, self.kwargs["pk"])


class HotspotCreateApi(APIView):
    """Add a hotspot at a station where you do field work (403 elsewhere, 404 for a station
    outside your jurisdiction). Names are unique per station: a repeat gets 400."""

    class Input(serializers.Serializer):
        station = serializers.IntegerField()
        name = serializers.CharField(max_length=200)
        kind = named_choice_field(Hotspot.Kind, "HotspotKind")
        address = serializers.CharField(max_length=255, required=False, default="")
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
        )

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        station = access.get_station_for_user(request.user, values.pop("station"))
        with service_errors():
            hotspot = services.create_hotspot(station=station, by=request.user, **values)
        return Response(HotspotOutput(hotspot).data, status=status.HTTP_201_CREATED)


class PatrolOutput(serializers.ModelSerializer):
    recorded_by = UserRef()

    class Meta:
        model = Patrol
        fields = [
            "id",
            "hotspot",
            "patrolled_at",
            "team",
            "observations",
            "trouble_seen",
            "recorded_by",
        ]


class PatrolListApi(ListAPIView):
    """The patrol log of one hotspot of yours, newest first."""

    serializer_class = PatrolOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Patrol.objects.none()
        hotspot = selectors.get_hotspot_for_user(self.request.user, self.kwargs["pk"])
        return selectors.patrols_of(hotspot=hotspot)


class PatrolCreateApi(APIView):
    """Log a patrol at a hotspot. Send `Idempotency-Key` to make a retry safe (200 on replay)."""

    class Input(serializers.Serializer):
        patrolled_at = serializers.DateTimeField()
        team = serializers.CharField(max_length=200)
        observations = serializers.CharField(required=False, default="", allow_blank=True)
        trouble_seen = serializers.BooleanField(required=False, default=False)

    serializer_class = Input

    def post(self, request: Request, pk: int) -> Response:
        hotspot = selectors.get_hotspot_for_user(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        token = idempotency_token(request)
        existed = token is not None and Patrol.objects.filter(client_token=token).exists()
        with service_errors():
            patrol = services.record_patrol(
                hotspot=hotspot, by=request.user, client_token=token, **data.validated_data
            )
        return created_or_replayed(PatrolOutput(patrol).data, not existed)


class CctvSetApi(APIView):
    """Record a hotspot's CCTV coverage: `installed` (cameras working) or `pending`."""

    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=CctvCoverage.Status.choices)
        cameras = serializers.IntegerField(min_value=0, max_value=999)
        checked_on = serializers.DateField(required=False, default=None)
        notes = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    serializer_class = Input

    def post(self, request: Request, pk: int) -> Response:
        hotspot = selectors.get_hotspot_for_user(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            coverage = services.set_cctv_coverage(
                hotspot=hotspot, by=request.user, **data.validated_data
            )
        return Response(CctvOutput(coverage).data)


# --- Resource audits and action items ---------------------------------------------------------


class ActionItemOutput(serializers.ModelSerializer):
    station = StationRef()
    owner = UserRef()
    closed_by = UserRef(allow_null=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "station",
            "item",
            "raised_in",
            "description",
            "owner",
            "due_on",
            "status",
            "closed_at",
            "closed_by",
            "closure_note",
            "has_file",
        ]

    def get_has_file(self, item: ActionItem) -> bool:
        return bool(item.closure_file)


class CheckOutput(serializers.ModelSerializer):
    class Meta:
        model = ResourceCheck
        fields = ["item", "status", "count", "notes", "action_item"]


class ResourceAuditOutput(serializers.ModelSerializer):
    station = StationRef()
    audited_by = UserRef()
    deficits = serializers.IntegerField(required=False)

    class Meta:
        model = ResourceAudit
        fields = ["id", "station", "audited_on", "audited_by", "notes", "deficits"]


class ResourceAuditDetailOutput(ResourceAuditOutput):
    checks = serializers.SerializerMethodField()

    class Meta(ResourceAuditOutput.Meta):
        fields = [*ResourceAuditOutput.Meta.fields, "checks"]

    def get_checks(self, audit: ResourceAudit) -> list[dict[str, Any]]:
        return list(CheckOutput(selectors.checks_of(audit=audit), many=True).data)


class ResourceAuditListApi(ListAPIView):
    """Resource audits of your stations, newest first. `?latest=1`: only each station's latest
    audit (what reports use). `?station=<id>` narrows to one station."""

    serializer_class = ResourceAuditOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        station = station_param(request)
        if request.query_params.get("latest") == "1":
            return selectors.latest_audits(
                user=request.user,
                stations=Station.objects.filter(pk=station.pk) if station else None,
            )
        return selectors.audit_list(user=request.user, station=station)


class ResourceAuditDetailApi(RetrieveAPIView):
    """One audit of a station of yours, with its checklist; 404 for any other."""

    serializer_class = ResourceAuditDetailOutput

    def get_object(self) -> ResourceAudit:
        return selectors.get_audit_for_user(self.request.user, self.kwargs["pk"])


class ResourceAuditCreateApi(APIView):
    """Record a station's resource audit: `checks` must list every resource once.

    Resources: rooms, women_toilets, registers, furniture, computers, mobile_phones, sim_cards,
    vehicles, cctv, helpdesk_signage. Each deficit becomes (or joins) an open action item owned
    by `owner` (a user id: an officer of the station or its district). One audit per station
    per day: a repeat gets 400.
    """

    class Input(serializers.Serializer):
        class Check(serializers.Serializer):
            item = serializers.ChoiceField(choices=ResourceItem.choices)
            status = serializers.ChoiceField(choices=ResourceCheck.Status.choices)
            count = serializers.IntegerField(
                min_value=0, required=False, allow_null=True, default=None
            )
            notes = serializers.CharField(
                max_length=300, required=False, default="", allow_blank=True
            )

        station = serializers.IntegerField()
        audited_on = serializers.DateField()
        owner = serializers.IntegerField()
        due_on = serializers.DateField(required=False, default=None)
        notes = serializers.CharField(required=False, default="", allow_blank=True)
        checks = Check(many=True)

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        station = access.get_station_for_user(request.user, values["station"])
        owner = selectors.station_staff(station=station).filter(pk=values["owner"]).first()
        if owner is None:
            raise serializers.ValidationError(
                {"owner": [_("The owner must be an officer of this station or its district.")]}
            )
        with service_errors():
            audit = services.record_resource_audit(
                station=station,
                audited_on=values["audited_on"],
                checks=[services.CheckInput(**check) for check in values["checks"]],
                owner=owner,
                due_on=values["due_on"],
                notes=values["notes"],
                by=request.user,
            )
        return Response(ResourceAuditDetailOutput(audit).data, status=status.HTTP_201_CREATED)


class StationResourceStatusOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    latest_audit_id = serializers.IntegerField(allow_null=True)
    latest_audit_on = serializers.DateField(allow_null=True)
    latest_deficits = serializers.IntegerField()
    open_items = serializers.IntegerField()
    overdue_items = serializers.IntegerField()


class StationResourceStatusApi(ListAPIView):
    """One row per station of yours: latest audit, its deficits, open and overdue action items."""

    serializer_class = StationResourceStatusOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.station_resource_status(user=self.request.user)


class ActionItemListApi(ListAPIView):
    """Action items at your stations. `?status=open|closed` (default open; `all` for both),
    `?station=<id>`, `?mine=1` for the ones you own."""

    serializer_class = ActionItemOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        wanted = request.query_params.get("status", ActionItem.Status.OPEN)
        if wanted not in {*ActionItem.Status.values, "all"}:
            raise serializers.ValidationError({"status": [_("Use open, closed or all.")]})
        return selectors.action_item_list(
            user=request.user,
            status="" if wanted == "all" else wanted,
            station=station_param(request),
            owner_only=request.query_params.get("mine") == "1",
        )


class ActionItemDetailApi(RetrieveAPIView):
    """One action item at a station of yours; 404 for any other."""

    serializer_class = ActionItemOutput

    def get_object(self) -> ActionItem:
        return selectors.get_action_item_for_user(self.request.user, self.kwargs["pk"])


class ActionItemCloseApi(APIView):
    """Close an open action item with evidence: `note` (required) and, as multipart, an
    optional `evidence` file (JPEG, PNG, WebP or PDF within the upload limit)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class Input(serializers.Serializer):
        note = serializers.CharField()
        evidence = serializers.FileField(required=False, default=None)

    serializer_class = Input

    def post(self, request: Request, pk: int) -> Response:
        item = selectors.get_action_item_for_user(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            closed = services.close_action_item(
                item=item,
                note=data.validated_data["note"],
                evidence=data.validated_data["evidence"],
                by=request.user,
            )
        return Response(ActionItemOutput(closed).data)


class CctvSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    institutions = serializers.IntegerField()
    cctv_installed = serializers.IntegerField()
    cctv_pending = serializers.IntegerField()
    cameras_working = serializers.IntegerField()


class CctvSummaryApi(ListAPIView):
    """Per station of yours: institutions (school, college, coaching hotspots), how many have
    CCTV installed or pending, and cameras working."""

    serializer_class = CctvSummaryOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.cctv_summary(user=self.request.user)
