"""Casework API: a complaint's case file, and the case actions (FIR, arrest, referral and its
follow-up, closure); the district's unassigned WhatsApp queue; open SOS alerts.

Scoped like the rest: a complaint outside the caller's area is a 404, a caller who may see it
but not work on it gets 403, bad input a 400 with field-keyed messages. The victim's identity
is never part of any representation here; the accused appear only to the station's staff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from complaints import access, casework, casework_selectors, services
from complaints.api import ComplaintOutput
from complaints.models import (
    Arrest,
    Complaint,
    ComplaintCategory,
    ComplaintClosure,
    FirRegistration,
    Referral,
    ReferralFollowUp,
    UnroutedMessage,
)
from stations.api import StationRef, UserRef, service_errors
from stations.models import Station


class FirOutput(serializers.ModelSerializer[FirRegistration]):
    station = StationRef()

    class Meta:
        model = FirRegistration
        fields = ["id", "fir_number", "cctns_number", "station", "registered_on", "bns_sections"]


class ArrestOutput(serializers.ModelSerializer[Arrest]):
    arrested_by = UserRef()

    class Meta:
        model = Arrest
        fields = [
            "id",
            "accused_role",
            "accused_description",
            "arrested_on",
            "section",
            "arrested_by",
        ]


class ReferralFollowUpOutput(serializers.ModelSerializer[ReferralFollowUp]):
    class Meta:
        model = ReferralFollowUp
        fields = ["outcome", "followed_up_on", "notes", "next_follow_up_on", "created_at"]


class ReferralOutput(serializers.ModelSerializer[Referral]):
    """A referral with its latest outcome, the follow-up now due (`follow_up_on`, when the
    outcome is pending, in progress or not reached) and every follow-up so far."""

    follow_ups = ReferralFollowUpOutput(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "kind",
            "agency",
            "referred_on",
            "follow_up_on",
            "follow_up_outcome",
            "followed_up_on",
            "follow_up_notes",
            "follow_ups",
        ]


class ClosureOutput(serializers.ModelSerializer[ComplaintClosure]):
    class Meta:
        model = ComplaintClosure
        fields = ["summary", "feedback", "feedback_remarks", "created_at"]


class CaseFileOutput(serializers.Serializer[Any]):
    complaint = ComplaintOutput()
    fir = FirOutput(allow_null=True)
    arrests = ArrestOutput(many=True)
    referrals = ReferralOutput(many=True)
    closure = ClosureOutput(allow_null=True)


def _case_file_data(complaint: Complaint, *, refresh: bool = True) -> dict[str, Any]:
    """The case file; after a write the complaint is read again (the service moved its status)."""
    if refresh:
        complaint.refresh_from_db()
    case = casework_selectors.case_file(complaint)
    return CaseFileOutput(
        {
            "complaint": complaint,
            "fir": case.fir,
            "arrests": case.arrests,
            "referrals": case.referrals,
            "closure": case.closure,
        }
    ).data


def _to_work_on(request: Request, pk: int) -> Complaint:
    complaint = access.get_complaint_for_user(request.user, pk)
    if not access.can_work_on(request.user, complaint):
        raise PermissionDenied
    return complaint


class CaseFileApi(APIView):
    """A complaint's FIR, arrests, referrals and closure (no identity)."""

    @extend_schema(responses={200: CaseFileOutput})
    def get(self, request: Request, pk: int) -> Response:
        complaint = access.get_complaint_for_user(request.user, pk)
        return Response(_case_file_data(complaint, refresh=False))


def _fir_input(
    serializer: type[serializers.Serializer[Any]], request: Request, complaint: Complaint
) -> dict[str, Any]:
    """An FIR's validated fields, with `station` (an id, optional) as a station of the
    complaint's district; 400 otherwise."""
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    station_id = values.pop("station")
    values["station"] = None
    if station_id is not None:
        values["station"] = Station.objects.filter(
            pk=station_id, district_id=complaint.station.district_id
        ).first()
        if values["station"] is None:
            raise serializers.ValidationError(
                {"station": ["Choose a station of the complaint's district."]}
            )
    return values


class FirCreateApi(APIView):
    """Record the complaint's FIR; the complaint moves to `action taken`."""

    class Input(serializers.Serializer[Any]):
        fir_number = serializers.CharField(max_length=12)
        cctns_number = serializers.CharField(max_length=24)
        registered_on = serializers.DateField()
        bns_sections = serializers.ListField(
            child=serializers.CharField(max_length=16), allow_empty=False
        )
        station = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(request=Input, responses={201: CaseFileOutput})
    def post(self, request: Request, pk: int) -> Response:
        complaint = _to_work_on(request, pk)
        values = _fir_input(self.Input, request, complaint)
        with service_errors():
            casework.register_fir(
                complaint=complaint,
                by=request.user,  # type: ignore[arg-type]
                request=request._request,
                **values,
            )
        return Response(_case_file_data(complaint), status=status.HTTP_201_CREATED)


class FirCorrectApi(APIView):
    """Correct the complaint's FIR, or alter its sections, with a reason. Every field is
    given as it should now read; 400 when nothing differs, when a section with an arrest
    under it is dropped, or when an arrest would come before the registration date."""

    class Input(FirCreateApi.Input):
        reason = serializers.CharField(max_length=200)

    @extend_schema(request=Input, responses={200: CaseFileOutput})
    def post(self, request: Request, pk: int) -> Response:
        complaint = _to_work_on(request, pk)
        values = _fir_input(self.Input, request, complaint)
        with service_errors():
            casework.correct_fir(
                complaint=complaint,
                by=request.user,  # type: ignore[arg-type]
                request=request._request,
                **values,
            )
        return Response(_case_file_data(complaint))


class ArrestCreateApi(APIView):
    """Record an accused arrested in the complaint's FIR."""

    class Input(serializers.Serializer[Any]):
        accused_role = serializers.CharField(max_length=80)
        accused_description = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        arrested_on = serializers.DateField()
        section = serializers.CharField(max_length=16)
        arrested_by = serializers.IntegerField()

    @extend_schema(request=Input, responses={201: CaseFileOutput})
    def post(self, request: Request, pk: int) -> Response:
        complaint = _to_work_on(request, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        officer = User.objects.filter(pk=values.pop("arrested_by"), is_active=True).first()
        if officer is None or not access.can_work_on(officer, complaint):
            raise serializers.ValidationError(
                {"arrested_by": ["Choose an officer posted at this station."]}
            )
        with service_errors():
            casework.record_arrest(
                complaint=complaint,
                by=request.user,  # type: ignore[arg-type]
                arrested_by=officer,
                request=request._request,
                **values,
            )
        return Response(_case_file_data(complaint), status=status.HTTP_201_CREATED)


class ReferralCreateApi(APIView):
    """Refer the victim for support, with a follow-up date."""

    class Input(serializers.Serializer[Any]):
        kind = serializers.CharField(help_text="a complaints.models.ReferralKind code")
        agency = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        referred_on = serializers.DateField()
        follow_up_on = serializers.DateField()

    @extend_schema(request=Input, responses={201: CaseFileOutput})
    def post(self, request: Request, pk: int) -> Response:
        complaint = _to_work_on(request, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            casework.refer(
                complaint=complaint,
                by=request.user,  # type: ignore[arg-type]
                request=request._request,
                **data.validated_data,
            )
        return Response(_case_file_data(complaint), status=status.HTTP_201_CREATED)


class ReferralFollowUpApi(APIView):
    """Record a follow-up of a referral: supported or declined ends it; in_progress and
    not_reached need `next_follow_up_on`. 400 once the follow-up is complete."""

    class Input(serializers.Serializer[Any]):
        outcome = serializers.CharField(help_text="a complaints.models.FollowUpOutcome code")
        followed_up_on = serializers.DateField()
        notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        next_follow_up_on = serializers.DateField(
            required=False,
            allow_null=True,
            default=None,
            help_text="required when the outcome is in_progress or not_reached",
        )

    @extend_schema(request=Input, responses={200: CaseFileOutput})
    def post(self, request: Request, pk: int, referral_pk: int) -> Response:
        complaint = _to_work_on(request, pk)
        referral = get_object_or_404(Referral, pk=referral_pk, complaint=complaint)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            casework.follow_up_referral(
                referral=referral,
                by=request.user,  # type: ignore[arg-type]
                request=request._request,
                **data.validated_data,
            )
        return Response(_case_file_data(complaint))


class CloseApi(APIView):
    """Close the complaint with a summary and the complainant's feedback."""

    class Input(serializers.Serializer[Any]):
        summary = serializers.CharField()
        feedback = serializers.CharField(help_text="satisfied, partly, not_satisfied, not_given")
        feedback_remarks = serializers.CharField(
            max_length=500, required=False, allow_blank=True, default=""
        )

    @extend_schema(request=Input, responses={200: CaseFileOutput})
    def post(self, request: Request, pk: int) -> Response:
        complaint = _to_work_on(request, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            casework.close_complaint(
                complaint=complaint,
                by=request.user,  # type: ignore[arg-type]
                request=request._request,
                **data.validated_data,
            )
        return Response(_case_file_data(complaint))


class SosAlertListApi(ListAPIView[Complaint]):
    """Open SOS complaints in the caller's area, oldest first (what the IC dashboard raises)."""

    serializer_class = ComplaintOutput

    def get_queryset(self) -> Any:
        return casework_selectors.open_sos_alerts(user=self.request.user)


class UnroutedOutput(serializers.ModelSerializer[UnroutedMessage]):
    district = serializers.CharField(source="district.code")

    class Meta:
        model = UnroutedMessage
        fields = ["id", "district", "text", "is_sos", "received_at"]


class UnroutedListApi(ListAPIView[UnroutedMessage]):
    """WhatsApp complaints waiting in the caller's districts for a station (district head and
    Mission Shakti in-charges; others get an empty list). The sender is never included."""

    serializer_class = UnroutedOutput

    def get_queryset(self) -> Any:
        return casework_selectors.unrouted_queue(user=self.request.user)


class UnroutedRouteApi(APIView):
    """Give a waiting message to a station of its district: it becomes a complaint there."""

    class Input(serializers.Serializer[Any]):
        station = serializers.IntegerField()
        category = serializers.ChoiceField(
            choices=ComplaintCategory.choices, default=ComplaintCategory.OTHER
        )

    @extend_schema(request=Input, responses={201: ComplaintOutput})
    def post(self, request: Request, pk: int) -> Response:
        try:
            message = UnroutedMessage.objects.get(
                pk=int(pk), district_id__in=access.routing_district_ids(request.user)
            )
        except (UnroutedMessage.DoesNotExist, ValueError) as exc:
            raise Http404("No such message.") from exc
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        station = Station.objects.filter(
            pk=data.validated_data["station"], district_id=message.district_id
        ).first()
        if station is None:
            raise serializers.ValidationError({"station": ["Choose a station of this district."]})
        with service_errors():
            complaint = services.route_unrouted(
                message=message,
                station=station,
                by=request.user,  # type: ignore[arg-type]
                category=data.validated_data["category"],
                request=request._request,
            )
        return Response(ComplaintOutput(complaint).data, status=status.HTTP_201_CREATED)
