"""Jurisdiction API: read-only, scoped to the caller."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request

from stations import selectors
from stations.models import Station


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
