"""Complaint intake API: scoped list, detail and registration. The victim's identity is never
part of any representation here (the portal shows it, with a reason, on the detail page)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import access, intake_selectors, services
from complaints.models import (
    Complaint,
    ComplaintChannel,
    ComplaintPriority,
)
from stations.api import StationRef, UserRef, service_errors

DESK_CHANNELS = {ComplaintChannel.DESK, ComplaintChannel.PHONE, ComplaintChannel.GROUP_REPORT}


class ComplaintOutput(serializers.ModelSerializer[Complaint]):
    """Codes as plain strings (see complaints.models for the choices)."""

    station = StationRef()
    channel = serializers.CharField()
    category = serializers.CharField()
    priority = serializers.CharField()
    status = serializers.CharField()
    assigned_to = UserRef(allow_null=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_number",
            "station",
            "channel",
            "category",
            "priority",
            "is_sos",
            "status",
            "assigned_to",
            "due_on",
            "escalation_level",
            "created_at",
            "closed_at",
        ]


class ComplaintDetailOutput(ComplaintOutput):
    class Meta(ComplaintOutput.Meta):
        fields = [*ComplaintOutput.Meta.fields, "description", "occurred_on"]


class ComplaintListApi(ListAPIView[Complaint]):
    """Complaints the caller may see, SOS first, then overdue, due today and by due date.

    `?q=` matches the tracking number only; `?all=1` includes closed ones. No identity."""

    serializer_class = ComplaintOutput

    def get_queryset(self) -> Any:
        return intake_selectors.complaint_queue(
            self.request.user,
            query=self.request.query_params.get("q", "")[:40],
            include_closed=self.request.query_params.get("all") == "1",
        )


class ComplaintDetailApi(RetrieveAPIView[Complaint]):
    """One complaint (404 when missing or outside the caller's jurisdiction). No identity."""

    serializer_class = ComplaintDetailOutput

    def get_object(self) -> Complaint:
        return access.get_complaint_for_user(self.request.user, self.kwargs["pk"])


class ComplaintCreateApi(APIView):
    """Register a complaint at a station where the caller is posted. The identity fields are
    write-only: they are stored encrypted and never returned."""

    class Input(serializers.Serializer[Any]):
        station = serializers.IntegerField()
        channel = serializers.CharField(help_text="desk, phone or group_report")
        category = serializers.CharField(help_text="a complaints.models.ComplaintCategory code")
        priority = serializers.CharField(default=ComplaintPriority.NORMAL)
        is_sos = serializers.BooleanField(default=False)
        occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
        description = serializers.CharField()
        victim_name = serializers.CharField(required=False, allow_blank=True, default="")
        victim_phone = serializers.CharField(required=False, allow_blank=True, default="")
        victim_address = serializers.CharField(required=False, allow_blank=True, default="")

        def validate_channel(self, value: str) -> str:
            if value not in DESK_CHANNELS:
                raise serializers.ValidationError(_("Choose desk, phone or group report."))
            return value

    @extend_schema(request=Input, responses={201: ComplaintDetailOutput})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        station = access.stations_for_registering(request.user).filter(pk=values["station"]).first()
        if station is None:
            raise serializers.ValidationError({"station": [_("Not a station you are posted at.")]})
        with service_errors():
            complaint = services.register_complaint(
                station=station,
                by=request.user,  # type: ignore[arg-type]
                channel=values["channel"],
                category=values["category"],
                priority=values["priority"],
                is_sos=values["is_sos"],
                occurred_on=values["occurred_on"],
                description=values["description"],
                identity=services.IdentityData(
                    name=values["victim_name"],
                    phone=values["victim_phone"],
                    address=values["victim_address"],
                ),
                request=request._request,
            )
        return Response(ComplaintDetailOutput(complaint).data, status=status.HTTP_201_CREATED)
