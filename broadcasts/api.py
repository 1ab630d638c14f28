"""Broadcast API: one view per operation; every object scoped to the caller."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from broadcasts import audience, lifecycle, selectors
from broadcasts.models import Broadcast, MessageTemplate
from people.models import Tag
from stations.models import District, Station


class TemplateOutput(serializers.ModelSerializer):
    class Meta:
        model = MessageTemplate
        fields = ["id", "name", "language", "category", "status", "parameter_count", "body"]


class BroadcastOutput(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    template = serializers.CharField(source="template.name")
    language = serializers.CharField(source="template.language")

    class Meta:
        model = Broadcast
        fields = [
            "id",
            "title",
            "district",
            "template",
            "language",
            "parameters",
            "topic",
            "status",
            "status_reason",
            "scheduled_for",
            "audience_sources",
            "recipient_count",
            "suppressed_count",
            "created_at",
            "started_at",
            "finished_at",
        ]


def _broadcast(request: Request, pk: int) -> Broadcast:
    return selectors.get_broadcast_for_user(request.user, pk)


def _errors(error: ValidationError | PermissionDenied) -> Response:
    if isinstance(error, PermissionDenied):
        return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
    return Response({"detail": error.messages}, status=status.HTTP_400_BAD_REQUEST)


class TemplateListApi(ListAPIView):
    """Message templates known to the portal; only APPROVED ones can be broadcast."""

    serializer_class = TemplateOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if not lifecycle.districts_user_may_broadcast_to(self.request.user):
            return MessageTemplate.objects.none()
        return selectors.all_templates()


class BroadcastListApi(ListAPIView):
    """Broadcasts of your districts, and those reaching your stations."""

    serializer_class = BroadcastOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.broadcast_list(user=self.request.user)


class BroadcastCreateApi(APIView):
    """Create a draft broadcast. Stations, tags and languages narrow the district's audience."""

    class Input(serializers.Serializer):
        district = serializers.CharField(help_text="District code")
        title = serializers.CharField(max_length=200)
        template = serializers.IntegerField(help_text="Template id")
        parameters = serializers.ListField(child=serializers.CharField(max_length=500))
        stations = serializers.ListField(child=serializers.CharField(), required=False)
        tags = serializers.ListField(child=serializers.CharField(), required=False)
        languages = serializers.ListField(child=serializers.CharField(), required=False)
        topic = serializers.CharField(required=False, allow_blank=True, max_length=40)
        audience = serializers.DictField(
            child=serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=50),
            required=False,
            help_text='Named audiences: {"list": [list ids], "community_group": [group ids]}',
        )

    serializer_class = Input

    def post(self, request: Request) -> Response:
        return _create(request)


class BroadcastDetailApi(APIView):
    """One broadcast with its delivery funnel."""

    serializer_class = BroadcastOutput

    def get(self, request: Request, pk: int) -> Response:
        broadcast = _broadcast(request, pk)
        body = BroadcastOutput(broadcast).data
        body["funnel"] = audience.funnel(broadcast)
        return Response(body)


class BroadcastActionApi(APIView):
    """submit | approve | pause | resume | cancel. Maker-checker applies to approve."""

    class Input(serializers.Serializer):
        send_at = serializers.DateTimeField(required=False, allow_null=True)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=300)

    serializer_class = Input
    actions = {
        "submit": lambda b, u, d: lifecycle.submit_broadcast(
            broadcast=b, by=u, send_at=d.get("send_at")
        ),
        "approve": lambda b, u, d: lifecycle.approve_broadcast(broadcast=b, by=u),
        "pause": lambda b, u, d: lifecycle.pause_broadcast(broadcast=b, by=u),
        "resume": lambda b, u, d: lifecycle.resume_broadcast(broadcast=b, by=u),
        "cancel": lambda b, u, d: lifecycle.cancel_broadcast(
            broadcast=b, by=u, reason=d.get("reason", "")
        ),
    }

    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in self.actions:
            raise NotFound("No such action.")
        broadcast = _broadcast(request, pk)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            broadcast = self.actions[action](broadcast, request.user, serializer.validated_data)
        except (ValidationError, PermissionDenied) as error:
            return _errors(error)
        return Response(BroadcastOutput(broadcast).data)


def _create(request: Request) -> Response:
    serializer = BroadcastCreateApi.Input(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    districts = District.objects.filter(
        pk__in=lifecycle.districts_user_may_broadcast_to(request.user)
    )
    district = districts.filter(code=data["district"]).first()
    if district is None:
        raise NotFound("No such district.")
    template = MessageTemplate.objects.filter(pk=data["template"]).first()
    if template is None:
        return Response({"template": ["No such template."]}, status=400)
    stations = list(Station.objects.filter(district=district, code__in=data.get("stations", [])))
    if len(stations) != len(set(data.get("stations", []))):
        return Response({"stations": ["Unknown station code for this district."]}, status=400)
    try:
        broadcast = lifecycle.create_broadcast(
            district=district,
            title=data["title"],
            template=template,
            parameters=data["parameters"],
            by=request.user,
            stations=stations,
            tags=Tag.objects.filter(name__in=data.get("tags", [])),
            languages=data.get("languages", []),
            topic=data.get("topic", ""),
            sources=data.get("audience") or {},
        )
    except (ValidationError, PermissionDenied) as error:
        return _errors(error)
    return Response(BroadcastOutput(broadcast).data, status=status.HTTP_201_CREATED)
