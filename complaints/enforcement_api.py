"""API of the anti-Romeo squad register: scoped lists, one action, record, per-station totals."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from complaints import enforcement_selectors as selectors
from complaints import enforcement_services as services
from complaints.models import BnssSection, RomeoAction, RomeoActionType, RomeoCase, RomeoPerson
from stations import selectors as station_selectors
from stations.api import (
    StationRef,
    UserRef,
    created_or_replayed,
    date_param,
    idempotency_token,
    service_errors,
    station_param,
)
from stations.models import Station


class CaseOutput(serializers.ModelSerializer):
    class Meta:
        model = RomeoCase
        fields = ["id", "fir_number", "cctns_number", "bns_sections"]


class PersonOutput(serializers.ModelSerializer):
    case = serializers.CharField(source="case.fir_number", allow_null=True, default=None)

    class Meta:
        model = RomeoPerson
        fields = ["id", "outcome", "case", "bnss_section", "name", "age", "parents_present"]


class RomeoActionOutput(serializers.ModelSerializer):
    station = StationRef()
    case = CaseOutput(allow_null=True, default=None)
    person_count = serializers.IntegerField(required=False)

    class Meta:
        model = RomeoAction
        fields = [
            "id",
            "station",
            "acted_on",
            "squad",
            "hotspot",
            "place",
            "action_type",
            "case",
            "person_count",
            "notes",
        ]


class RomeoActionDetailOutput(RomeoActionOutput):
    persons = PersonOutput(many=True)
    recorded_by = UserRef()

    class Meta(RomeoActionOutput.Meta):
        fields = [*RomeoActionOutput.Meta.fields, "persons", "recorded_by"]


def _filters(request: Request) -> dict[str, Any]:
    return {
        "date_from": date_param(request, "date_from"),
        "date_to": date_param(request, "date_to"),
    }


class RomeoActionListApi(ListAPIView):
    """The anti-Romeo register of your stations, newest first.

    Filters: `?station=<id>`, `?action_type=case_registered|accused_arrested|preventive|warned`,
    `?date_from=YYYY-MM-DD`, `?date_to=YYYY-MM-DD` (inclusive).
    """

    serializer_class = RomeoActionOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        return selectors.romeo_action_list(
            user=request.user,
            station=station_param(request),
            action_type=request.query_params.get("action_type", ""),
            **_filters(request),
        )


class RomeoActionDetailApi(RetrieveAPIView):
    """One action with its FIR and persons; 404 outside your jurisdiction."""

    serializer_class = RomeoActionDetailOutput

    def get_object(self) -> RomeoAction:
        return selectors.get_romeo_action_for_user(self.request.user, self.kwargs["pk"])


class RomeoActionCreateApi(APIView):
    """Record a squad action with its FIR (`case`, for case_registered), the earlier FIR it
    arrests in (`case_id`, for accused_arrested) and its `persons` (for preventive action each
    with `bnss_section` 126, 135 or 170). Send `Idempotency-Key` to make a retry safe."""

    class Input(serializers.Serializer):
        class Case(serializers.Serializer):
            fir_number = serializers.CharField(max_length=20)
            cctns_number = serializers.CharField(max_length=30, required=False, default="")
            bns_sections = serializers.CharField(max_length=120, required=False, default="")

        class Person(serializers.Serializer):
            name = serializers.CharField(max_length=200, required=False, default="")
            age = serializers.IntegerField(required=False, allow_null=True, default=None)
            bnss_section = serializers.ChoiceField(
                choices=BnssSection.choices, required=False, default=""
            )
            parents_present = serializers.BooleanField(required=False, default=False)

        station = serializers.IntegerField()
        acted_on = serializers.DateField()
        squad = serializers.CharField(max_length=120)
        action_type = serializers.ChoiceField(choices=RomeoActionType.choices)
        hotspot = serializers.IntegerField(required=False, allow_null=True, default=None)
        place = serializers.CharField(max_length=200, required=False, default="")
        notes = serializers.CharField(required=False, default="", allow_blank=True)
        case = Case(required=False, allow_null=True, default=None)
        case_id = serializers.IntegerField(required=False, allow_null=True, default=None)
        persons = Person(many=True, required=False, default=list)

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        station = access.get_station_for_user(request.user, values["station"])
        hotspot = (
            station_selectors.get_hotspot_for_user(request.user, values["hotspot"])
            if values["hotspot"]
            else None
        )
        existing_case = self._case(request, values["case_id"])
        token = idempotency_token(request)
        existed = token is not None and RomeoAction.objects.filter(client_token=token).exists()
        with service_errors():
            action = services.record_romeo_action(
                station=station,
                acted_on=values["acted_on"],
                squad=values["squad"],
                action_type=values["action_type"],
                hotspot=hotspot,
                place=values["place"],
                notes=values["notes"],
                case=services.CaseInput(**values["case"]) if values["case"] else None,
                existing_case=existing_case,
                persons=[services.PersonInput(**p) for p in values["persons"]],
                by=request.user,
                client_token=token,
            )
        action = selectors.get_romeo_action_for_user(request.user, action.pk)
        return created_or_replayed(RomeoActionDetailOutput(action).data, not existed)

    def _case(self, request: Request, pk: int | None) -> RomeoCase | None:
        if pk is None:
            return None
        case = selectors.romeo_cases_for(user=request.user).filter(pk=pk).first()
        if case is None:
            raise serializers.ValidationError({"case_id": [_("No such FIR in your register.")]})
        return case


class EnforcementTotalsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    actions = serializers.IntegerField()
    cases_registered = serializers.IntegerField()
    accused_arrested = serializers.IntegerField()
    detained_126 = serializers.IntegerField()
    detained_135 = serializers.IntegerField()
    detained_170 = serializers.IntegerField()
    detained_total = serializers.IntegerField()
    warned = serializers.IntegerField()


class EnforcementTotalsApi(ListAPIView):
    """Per-station anti-Romeo figures for a period: cases registered (distinct FIRs), accused
    arrested, persons detained by BNSS section (126/135/170) and in all, persons warned.

    `?date_from=`, `?date_to=` (inclusive, YYYY-MM-DD), `?station=<id>`. Not paginated: one row
    per station of yours.
    """

    serializer_class = EnforcementTotalsOutput
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        station = station_param(request)
        return selectors.enforcement_totals(
            user=request.user,
            stations=Station.objects.filter(pk=station.pk) if station else None,
            **_filters(request),
        )
