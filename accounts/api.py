"""The caller's own account: who am I, what may I see."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access


class PostingOutput(serializers.Serializer):
    role = serializers.CharField()
    unit_type = serializers.SerializerMethodField()
    unit_code = serializers.SerializerMethodField()
    unit_name = serializers.SerializerMethodField()

    def get_unit_type(self, posting) -> str:  # type: ignore[no-untyped-def]
        return type(posting.unit).__name__.lower() if posting.unit else ""

    def get_unit_code(self, posting) -> str:  # type: ignore[no-untyped-def]
        return posting.unit.code if posting.unit else ""

    def get_unit_name(self, posting) -> str:  # type: ignore[no-untyped-def]
        return posting.unit.name if posting.unit else ""


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    preferred_language = serializers.CharField()
    is_system_admin = serializers.BooleanField()
    postings = PostingOutput(many=True)
    station_count = serializers.IntegerField()


class MeApi(APIView):
    """Your account: postings (role + unit) and how many stations your jurisdiction holds."""

    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "preferred_language": user.preferred_language,
            "is_system_admin": access.is_system_admin(user),
            "postings": access.active_postings(user),
            "station_count": access.stations_for(user).count(),
        }
        return Response(MeOutput(data).data)

    serializer_class = MeOutput
