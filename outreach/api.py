"""Outreach API: drives, NGOs, NGO activities (with police verification), campaigns."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from outreach import selectors, services
from outreach.models import (
    Audience,
    AwarenessDrive,
    Campaign,
    CampaignTarget,
    Ngo,
    NgoActivity,
    NgoActivityKind,
    Topic,
)
from stations import selectors as station_selectors
from stations.api import (
    StationRef,
    UserRef,
    created_or_replayed,
    date_param,
    idempotency_token,
    int_param,
    named_choice_field,
    service_errors,
    station_param,
)
from stations.models import District, Station


class DistrictRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class NgoRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CampaignRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


def _period(request: Request) -> dict[str, Any]:
    return {
        "date_from": date_param(request, "date_from"),
        "date_to": date_param(request, "date_to"),
    }


def _row(pk: int | None, name: str, queryset: Any) -> Any:
    """The row with this pk from an already scoped queryset; None for no pk; 400 if missing."""
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise serializers.ValidationError({name: [_("Not found in your scope.")]})
    return row


def _lookup(request: Request, name: str, queryset: Any) -> Any:
    """The row a query parameter names, from an already scoped queryset (see _row)."""
    return _row(int_param(request, name), name, queryset)


# --- Awareness drives -------------------------------------------------------------------------


class DriveOutput(serializers.ModelSerializer):
    station = StationRef()
    organiser_ngo = NgoRef(allow_null=True)
    campaign = CampaignRef(allow_null=True)
    topics = serializers.SerializerMethodField()
    photo_count = serializers.SerializerMethodField()

    class Meta:
        model = AwarenessDrive
        fields = [
            "id",
            "station",
            "held_on",
            "place",
            "hotspot",
            "organiser_ngo",
            "audience",
            "people_reached",
            "topics",
            "campaign",
            "notes",
            "photo_count",
        ]

    def get_topics(self, drive: AwarenessDrive) -> list[str]:
        return sorted(t.topic for t in drive.topics.all())

    def get_photo_count(self, drive: AwarenessDrive) -> int:
        return len(drive.photos.all())


class DriveListApi(ListAPIView):
    """Awareness drives you may see, newest first. Filters: `?station=<id>`,
    `?audience=women|girl_students|boys|mixed`, `?campaign=<id>`, `?date_from=`, `?date_to=`."""

    serializer_class = DriveOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.drive_list(
            user=request.user,
            station=station_param(request),
            audience=request.query_params.get("audience", ""),
            campaign=_lookup(
                request, "campaign", selectors.campaigns_for(request.user, active_only=False)
            ),
            **_period(request),
        ).prefetch_related("photos")


class DriveDetailApi(RetrieveAPIView):
    """One drive you may see; 404 for any other."""

    serializer_class = DriveOutput

    def get_object(self) -> AwarenessDrive:
        return selectors.get_drive_for_user(self.request.user, self.kwargs["pk"])


class DriveCreateApi(APIView):
    """Record an awareness drive at a station where you do field work. JSON, or multipart with
    up to DRIVE_MAX_PHOTOS `photos` (JPEG/PNG/WebP, within UPLOAD_MAX_BYTES; a bad photo saves
    nothing). Send `Idempotency-Key` to make a retry safe (200 on replay)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class Input(serializers.Serializer):
        station = serializers.IntegerField()
        held_on = serializers.DateField()
        place = serializers.CharField(max_length=200)
        hotspot = serializers.IntegerField(required=False, allow_null=True, default=None)
        audience = serializers.ChoiceField(choices=Audience.choices)
        people_reached = serializers.IntegerField(min_value=1, max_value=100_000)
        topics = serializers.ListField(
            child=serializers.ChoiceField(choices=Topic.choices), min_length=1
        )
        campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
        organiser_ngo = serializers.IntegerField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, default="", allow_blank=True)
        photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["station"] = access.get_station_for_user(request.user, values["station"])
        values["hotspot"] = (
            station_selectors.get_hotspot_for_user(request.user, values["hotspot"])
            if values["hotspot"]
            else None
        )
        values["campaign"] = _row(
            values["campaign"], "campaign", selectors.campaigns_for(request.user)
        )
        values["organiser_ngo"] = _row(
            values["organiser_ngo"], "organiser_ngo", selectors.ngos_visible_to(request.user)
        )
        token = idempotency_token(request)
        existed = token is not None and AwarenessDrive.objects.filter(client_token=token).exists()
        with service_errors():
            drive = services.record_awareness_drive(by=request.user, client_token=token, **values)
        drive = selectors.get_drive_for_user(request.user, drive.pk)
        return created_or_replayed(DriveOutput(drive).data, not existed)


class DriveTotalsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    drives = serializers.IntegerField()
    locations = serializers.IntegerField()
    people_reached = serializers.IntegerField()
    women_girls_reached = serializers.IntegerField()


class DriveTotalsApi(ListAPIView):
    """Per-station awareness-drive figures for a period: drives, locations (distinct places
    among the period's drives at the station), people reached, women and girl students reached.
    `?date_from=`, `?date_to=` (inclusive), `?station=<id>`. Not paginated."""

    serializer_class = DriveTotalsOutput
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        station = station_param(request)
        return selectors.drive_totals(
            user=request.user,
            stations=Station.objects.filter(pk=station.pk) if station else None,
            **_period(request),
        )


# --- NGOs -------------------------------------------------------------------------------------


class NgoOutput(serializers.ModelSerializer):
    districts = DistrictRef(many=True)
    phone = serializers.CharField()
    member_count = serializers.IntegerField(required=False)
    activity_count = serializers.IntegerField(required=False)

    class Meta:
        model = Ngo
        fields = [
            "id",
            "name",
            "name_local",
            "registration_number",
            "districts",
            "contact_person",
            "phone",
            "email",
            "address",
            "is_active",
            "member_count",
            "activity_count",
        ]


class NgoListApi(ListAPIView):
    """The NGO registry as you may see it: NGO coordinators their own NGO; police the NGOs
    working in their districts; state HQ every NGO of the state. `?q=` searches names and
    registration numbers, `?district=<id>` narrows."""

    serializer_class = NgoOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.ngo_list(
            user=request.user,
            search=request.query_params.get("q", ""),
            district=_lookup(request, "district", District.objects.all()),
        )


class NgoDetailApi(RetrieveAPIView):
    """One NGO you may see; 404 for any other (an NGO coordinator sees only their own)."""

    serializer_class = NgoOutput

    def get_object(self) -> Ngo:
        return selectors.get_ngo_for_user(self.request.user, self.kwargs["pk"])


class NgoCreateApi(APIView):
    """Register an NGO (state HQ; districts must be in your state). 400 when the registration
    number is already registered."""

    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        name_local = serializers.CharField(max_length=200, required=False, default="")
        registration_number = serializers.CharField(max_length=60)
        districts = serializers.ListField(child=serializers.IntegerField(), min_length=1)
        contact_person = serializers.CharField(max_length=120, required=False, default="")
        phone = serializers.CharField(max_length=20, required=False, default="")
        email = serializers.EmailField(required=False, default="")
        address = serializers.CharField(required=False, default="", allow_blank=True)

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        districts = list(access.districts_for(request.user).filter(pk__in=values["districts"]))
        if len(districts) != len(set(values["districts"])):
            raise serializers.ValidationError({"districts": [_("Not found in your scope.")]})
        values["districts"] = districts
        with service_errors():
            ngo = services.register_ngo(by=request.user, **values)
        return Response(
            NgoOutput(selectors.get_ngo_for_user(request.user, ngo.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- NGO activities ---------------------------------------------------------------------------


class ActivityOutput(serializers.ModelSerializer):
    kind = named_choice_field(NgoActivityKind, "NgoActivityKind")
    ngo = NgoRef()
    district = DistrictRef()
    station = StationRef(allow_null=True)
    campaign = CampaignRef(allow_null=True)
    verified_by = UserRef(allow_null=True)
    is_verified = serializers.BooleanField()

    class Meta:
        model = NgoActivity
        fields = [
            "id",
            "ngo",
            "kind",
            "campaign",
            "district",
            "station",
            "held_on",
            "place",
            "persons_reached",
            "persons_rescued",
            "description",
            "is_verified",
            "verified_by",
            "verified_at",
            "verification_note",
        ]


class ActivityListApi(ListAPIView):
    """NGO activities you may see (NGO coordinators: their NGO's only), newest first.
    Filters: `?verified=1|0`, `?ngo=<id>`, `?district=<id>`, `?kind=`, `?campaign=<id>`,
    `?date_from=`, `?date_to=`."""

    serializer_class = ActivityOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        verified = request.query_params.get("verified")
        return selectors.ngo_activity_list(
            user=request.user,
            ngo=_lookup(request, "ngo", selectors.ngos_visible_to(request.user)),
            district=_lookup(request, "district", District.objects.all()),
            kind=request.query_params.get("kind", ""),
            campaign=_lookup(request, "campaign", Campaign.objects.all()),
            verified=None if verified in (None, "") else verified == "1",
            **_period(request),
        )


class ActivityDetailApi(RetrieveAPIView):
    """One NGO activity you may see; 404 for any other (NGO B's entries for NGO A)."""

    serializer_class = ActivityOutput

    def get_object(self) -> NgoActivity:
        return selectors.get_ngo_activity_for_user(self.request.user, self.kwargs["pk"])


class ActivityInput(serializers.Serializer):
    kind = named_choice_field(NgoActivityKind, "NgoActivityKind")
    district = serializers.IntegerField()
    station = serializers.IntegerField(required=False, allow_null=True, default=None)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, default="")
    persons_reached = serializers.IntegerField(min_value=0, required=False, default=0)
    persons_rescued = serializers.IntegerField(min_value=0, required=False, default=0)
    description = serializers.CharField(required=False, default="", allow_blank=True)


def _activity_values(request: Request, values: dict[str, Any], ngo: Ngo) -> dict[str, Any]:
    """Resolve ids: the district must be one of the NGO's (400 with the clear message)."""
    district = ngo.districts.filter(pk=values["district"]).first()
    if district is None:
        raise serializers.ValidationError({"district": [str(services.DISTRICT_OUTSIDE_NGO)]})
    station = None
    if values["station"] is not None:
        station = Station.objects.filter(pk=values["station"], district=district).first()
        if station is None:
            raise serializers.ValidationError(
                {"station": [_("This police station is not in the district.")]}
            )
    campaign = None
    if values["campaign"] is not None:
        campaign = selectors.campaigns_for(request.user).filter(pk=values["campaign"]).first()
        if campaign is None:
            raise serializers.ValidationError({"campaign": [_("Not found in your scope.")]})
    return {**values, "district": district, "station": station, "campaign": campaign}


class ActivityCreateApi(APIView):
    """Log an activity for your NGO (`ngo` may be left out when you belong to one NGO only).
    The district must be one of the NGO's districts. Send `Idempotency-Key` to make a retry
    safe (200 on replay)."""

    class Input(ActivityInput):
        ngo = serializers.IntegerField(required=False, allow_null=True, default=None)

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ngo = self._ngo(request, values.pop("ngo"))
        token = idempotency_token(request)
        existed = token is not None and NgoActivity.objects.filter(client_token=token).exists()
        with service_errors():
            activity = services.record_ngo_activity(
                ngo=ngo,
                by=request.user,
                client_token=token,
                **_activity_values(request, values, ngo),
            )
        activity = selectors.get_ngo_activity_for_user(request.user, activity.pk)
        return created_or_replayed(ActivityOutput(activity).data, not existed)

    def _ngo(self, request: Request, pk: int | None) -> Ngo:
        mine = selectors.ngos_for(request.user)
        ngos = list(mine.filter(pk=pk)) if pk is not None else list(mine[:2])
        if len(ngos) != 1:
            raise serializers.ValidationError({"ngo": [_("Name one of your NGOs.")]})
        return ngos[0]


class ActivityUpdateApi(APIView):
    """Correct your NGO's entry before the police verify it (400 once verified)."""

    serializer_class = ActivityInput

    def post(self, request: Request, pk: int) -> Response:
        activity = selectors.get_ngo_activity_for_user(request.user, pk)
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = _activity_values(request, dict(data.validated_data), activity.ngo)
        with service_errors():
            services.update_ngo_activity(activity=activity, by=request.user, **values)
        activity = selectors.get_ngo_activity_for_user(request.user, pk)
        return Response(ActivityOutput(activity).data)


class ActivityVerifyApi(APIView):
    """Verify an NGO entry (police of its district or station; 403 otherwise). Idempotent."""

    class Input(serializers.Serializer):
        note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    serializer_class = Input

    def post(self, request: Request, pk: int) -> Response:
        activity = selectors.get_ngo_activity_for_user(request.user, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.verify_ngo_activity(
                activity=activity, by=request.user, note=data.validated_data["note"]
            )
        activity = selectors.get_ngo_activity_for_user(request.user, pk)
        return Response(ActivityOutput(activity).data)


# --- Campaigns --------------------------------------------------------------------------------


class CampaignOutput(serializers.ModelSerializer):
    state = serializers.CharField(source="state.code", allow_null=True, default=None)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "code",
            "name",
            "name_local",
            "description",
            "state",
            "starts_on",
            "ends_on",
            "is_active",
        ]


class CampaignListApi(ListAPIView):
    """Campaigns running in your state(s), and national ones. `?all=1` includes ended ones."""

    serializer_class = CampaignOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.campaigns_for(
            request.user, active_only=request.query_params.get("all") != "1"
        )


class CampaignProgressOutput(serializers.ModelSerializer):
    campaign = CampaignRef()
    district = DistrictRef()
    actual = serializers.IntegerField()
    verified = serializers.IntegerField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = CampaignTarget
        fields = [
            "id",
            "campaign",
            "district",
            "metric",
            "target_value",
            "actual",
            "verified",
            "percent",
        ]

    def get_percent(self, target: CampaignTarget) -> int:
        return selectors.progress_percent(target)


class CampaignProgressApi(ListAPIView):
    """Each campaign's district targets (districts you oversee) with what was achieved:
    `actual` (all entries), `verified` (police-verified NGO entries plus police drives).
    `?campaign=<id>`, `?district=<id>` narrow."""

    serializer_class = CampaignProgressOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.campaign_progress(
            user=request.user,
            campaign=_lookup(request, "campaign", Campaign.objects.all()),
            district=_lookup(request, "district", District.objects.all()),
        )
