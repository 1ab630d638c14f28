"""Citizens and subscriber imports over the API, scoped to the caller like the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from people import selectors, services
from people.models import Citizen, ImportJob
from people.spreadsheets import ImportFileError


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class CitizenListApi(ListAPIView):
    """List the citizens in your jurisdiction; phones are masked (+91••••••3210).

    Filters: `q` (name, or at least 4 digits of the phone), `station` (id), `language`
    (en, hi, bn), `opted_out` (`yes` or `no`), `tag` (id). Paginated with `limit`/`offset`.
    Station officers see their station's citizens; district roles their district's; users
    without a police posting get 404.
    """

    class Output(serializers.ModelSerializer):
        phone = serializers.CharField(source="masked_phone")
        district = serializers.CharField(source="district.code")
        station = serializers.CharField(source="station.code", default=None, allow_null=True)
        tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
        may_receive_messages = serializers.BooleanField()

        class Meta:
            model = Citizen
            fields = [
                "id", "name", "phone", "district", "station", "locality", "preferred_language",
                "tags", "consent_source", "consent_at", "opted_out_at", "opt_out_source",
                "erased_at", "may_receive_messages",
            ]  # fmt: skip

    serializer_class = Output

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, or at least 4 digits of the phone"),
            OpenApiParameter("station", int, description="Station id"),
            OpenApiParameter("language", str, enum=["en", "hi", "bn"]),
            OpenApiParameter("opted_out", str, enum=["yes", "no"]),
            OpenApiParameter("tag", int, description="Tag id"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        request: Request = self.request
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Citizen.objects.none()
        if access.police_scope(request.user).is_empty:
            raise NotFound()
        params = request.query_params
        return selectors.citizen_list(
            user=request.user,
            search=params.get("q", "")[:100],
            station_id=_int_or_none(params.get("station")),
            language=params.get("language", ""),
            opted_out=params.get("opted_out", ""),
            tag_id=_int_or_none(params.get("tag")),
        )


class CitizenDetailApi(RetrieveAPIView):
    """One citizen in your jurisdiction (phone masked); 404 for any other."""

    serializer_class = CitizenListApi.Output

    def get_object(self) -> Citizen:
        return selectors.citizen_detail(user=self.request.user, pk=self.kwargs["pk"])


class ImportOutput(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    percent = serializers.IntegerField()
    rejected_by_reason = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "status", "district", "original_name", "file_format", "sheet_name",
            "rows_expected", "rows_read", "imported_created", "imported_updated",
            "updated_still_opted_out",
            "rejected", "rejected_by_reason", "percent", "error", "created_at", "started_at",
            "finished_at", "links",
        ]  # fmt: skip

    def get_rejected_by_reason(self, job: ImportJob) -> dict[str, int]:
        counts = self.context.get("rejected_counts") or []
        return {code: n for code, _label, n in counts}

    def get_links(self, job: ImportJob) -> dict[str, str]:
        return {
            "status": reverse("api:people-import-detail", args=[job.pk]),
            "page": reverse("people:import_detail", args=[job.pk]),
            "rejected_csv": reverse("people:import_rejected_csv", args=[job.pk]),
        }


class ImportCreateApi(APIView):
    """Upload a subscriber list (multipart): `file` (.csv or .xlsx) and `district` (id).

    `district` may be left out when you manage exactly one district. The file is checked at
    once: a file that cannot be imported gets 400 with `{"file": [message], "code": ...}`
    and nothing is stored. Otherwise 201 with the import (status `queued`); poll
    `links.status` until `status` is `done` or `failed`.

    A workbook (.xlsx) is read from one sheet, never a hidden one: the visible sheet whose first
    rows name the columns. When several visible sheets do, the answer is 400 with
    `{"sheet": [message], "code": "choose_sheet", "sheets": [names]}`: send the file again with
    `sheet` set to one of the names. A `sheet` the workbook does not show gets the same answer
    with code `unknown_sheet`. `sheet` is ignored for CSV files.

    Send an `Idempotency-Key` header to make retries safe: the same key from the same user
    within 24 hours returns the first import (201, header `Idempotent-Replayed: true`)
    instead of importing twice; the same key with a different file gets 422.
    """

    parser_classes = [MultiPartParser, FormParser]

    class Input(serializers.Serializer):
        file = serializers.FileField()
        district = serializers.IntegerField(required=False)
        list_name = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=120,
            help_text="Also save the imported rows as a list of this name (a broadcast audience).",
        )
        sheet = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=255,
            help_text="The workbook's sheet to import, when several visible sheets hold a list.",
        )

    serializer_class = Input

    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        district = self._district(request, data.validated_data.get("district"))
        try:
            job, created = services.create_import_job(
                district=district,
                upload=data.validated_data["file"],
                by=request.user,  # type: ignore[arg-type]
                client_key=request.headers.get("Idempotency-Key"),
                request=request,
                list_name=data.validated_data.get("list_name", ""),
                sheet_name=data.validated_data.get("sheet", ""),
            )
        except services.IdempotencyConflict as error:
            return Response({"detail": error.messages[0]}, status=422)
        except ImportFileError as error:
            if error.code in {"choose_sheet", "unknown_sheet"}:
                body = {"sheet": error.messages, "code": error.code, "sheets": error.sheets}
                return Response(body, status=400)
            return Response({"file": error.messages, "code": error.code}, status=400)
        except ValidationError as error:  # the list name is taken in this district
            return Response({"list_name": error.messages, "code": error.code}, status=400)
        headers = {"Location": reverse("api:people-import-detail", args=[job.pk])}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(ImportOutput(job).data, status=status.HTTP_201_CREATED, headers=headers)

    def _district(self, request: Request, pk: int | None) -> Any:
        managed = selectors.districts_managed_by(request.user)
        if pk is None:
            choices = list(managed[:2])
            if len(choices) == 1:
                return choices[0]
            if not choices:
                raise NotFound()
            raise serializers.ValidationError({"district": ["Choose the district (its id)."]})
        district = managed.filter(pk=pk).first()
        if district is None:
            if access.districts_for(request.user).filter(pk=pk).exists():
                raise PermissionDenied("Only the district's cyber cell or head may import lists.")
            raise NotFound()
        return district

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ValidationError) and not isinstance(exc, ImportFileError):
            return Response({"detail": exc.messages}, status=400)
        return super().handle_exception(exc)


class ImportDetailApi(RetrieveAPIView):
    """One import's progress and result: counts, rejected rows per reason, error if failed.

    Invariant: `imported_created + imported_updated + rejected == rows_read`. The rejected
    rows themselves (with the file's columns and the reason) are at `links.rejected_csv`.
    """

    serializer_class = ImportOutput

    def get_object(self) -> ImportJob:
        return selectors.get_import_for_user(self.request.user, self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = self.get_object()
        context = {"rejected_counts": selectors.rejected_counts(job) if job.is_final else []}
        return Response(ImportOutput(job, context=context).data)
