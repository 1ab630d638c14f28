"""API of the review report: the same figures as the page, as JSON, scoped to the caller."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from reports import periods, selectors
from reports.forms import ReviewForm


class ColumnOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["int", "days", "percent"])
    snapshot = serializers.BooleanField(help_text="As of now; no previous period.")
    better = serializers.ChoiceField(
        choices=["up", "down", "neutral"],
        help_text="Whether a rise is good news (up), bad news (down) or neither (neutral).",
    )


@extend_schema_field(
    {
        "type": "number",
        "nullable": True,
        "description": "A whole number for columns of kind `int` (counts); a decimal for "
        "`days` (medians) and `percent`.",
    }
)
class FigureField(serializers.Field):
    """A count stays a whole number (255, not 255.0); medians and percentages are decimals."""

    def to_representation(self, value: object) -> int | float | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        return float(value)  # type: ignore[arg-type]


class FiguresOutput(serializers.DictField):
    """Column key -> number (null when there is nothing to measure, e.g. no disposal)."""

    child = FigureField(allow_null=True)


class RowOutput(serializers.Serializer):
    station_id = serializers.IntegerField(allow_null=True, help_text="Null on the totals row.")
    code = serializers.CharField()
    name = serializers.CharField()
    name_local = serializers.CharField()
    district = serializers.CharField()
    values = FiguresOutput()
    previous = FiguresOutput()
    change = FiguresOutput()
    returns = serializers.ChoiceField(
        choices=["on_time", "late", "missing", "not_due"], allow_null=True
    )


class ReviewReportOutput(serializers.Serializer):
    period = serializers.DictField()
    previous_period = serializers.DictField()
    district = serializers.IntegerField(allow_null=True)
    scope = serializers.CharField()
    columns = ColumnOutput(many=True)
    rows = RowOutput(many=True)
    totals = RowOutput()


class ReviewReportApi(APIView):
    """The commissioner's review report: one row per station of yours, a totals row, each
    figure's value in the previous period and the change. `previous_period` is the month(s)
    before for whole months, the same days of last month for a month so far, else as many
    days just before.

    `?period=this_month|last_month|custom`, with `from` and `to` (YYYY-MM-DD, inclusive) for
    custom; `?district=<id>` (a district you oversee; otherwise 404); `?stations=1,2,3` (your
    stations only: an id outside your jurisdiction is refused with 400). Counts only: no
    complaint or person appears in the report.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, enum=[c[0] for c in periods.PERIOD_CHOICES]
            ),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("district", OpenApiTypes.INT),
            OpenApiParameter("stations", OpenApiTypes.STR, description="Comma-separated ids."),
        ],
        responses={200: ReviewReportOutput},
    )
    def get(self, request: Request) -> Response:
        if not access.stations_for(request.user).exists():
            raise Http404("No stations.")  # the same answer as the page for a non-police user
        form = ReviewForm(request.query_params, user=request.user)
        if not form.is_valid():
            return Response(form.errors, status=400)
        report = selectors.review_report(
            user=request.user, district=form.chosen_district(), **form.report_arguments()
        )
        return Response(ReviewReportOutput(selectors.report_as_dict(report)).data)
