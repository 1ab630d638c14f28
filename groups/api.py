"""Community groups API: groups, nominations (create, approve, reject), memberships.

Every endpoint is scoped by accounts.access: a group, nomination or membership outside the
caller's jurisdiction is a 404, exactly like a missing one. POSTs that create or decide accept
an `Idempotency-Key` header: a retry with the same key replays the first response.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from groups import rules, selectors, services
from groups.idempotency import idempotent
from groups.models import (
    CommunityGroup,
    Membership,
    MembershipStatus,
    Nomination,
    NominationSource,
    Nominator,
)
from groups.services import GroupsError, NominatorDetails, NotAllowed
from people.phones import InvalidPhone, normalize_mobile
from stations.models import District

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Any unique string: a retry with the same key replays the first response "
    "for 24 hours instead of acting twice.",
)
CONFLICT_CODES = {"duplicate", "already_member", "full", "invalid_transition", "decided"}


def _error(error: GroupsError) -> Response:
    """A refused action as JSON: 403 (not allowed), 409 (state conflict) or 400."""
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)
    code = status.HTTP_409_CONFLICT if error.code in CONFLICT_CODES else 400
    return Response({"detail": error.message, "code": error.code}, status=code)


class PhoneInput(serializers.CharField):
    """A mobile number in any format; E.164 out, translated error otherwise."""

    def to_internal_value(self, data: Any) -> str:
        try:
            return normalize_mobile(super().to_internal_value(data))
        except InvalidPhone as error:
            raise serializers.ValidationError(error.messages) from error


# --- groups ---------------------------------------------------------------------------------


class GroupOutput(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    unit_type = serializers.SerializerMethodField()
    unit_code = serializers.SerializerMethodField()
    unit_name = serializers.SerializerMethodField()
    purpose = serializers.CharField()
    rules = serializers.CharField()
    capacity = serializers.IntegerField()
    seats_taken = serializers.IntegerField()
    seats_left = serializers.IntegerField()
    pending_count = serializers.IntegerField()
    waitlist_count = serializers.IntegerField()
    accepts_applications = serializers.BooleanField()
    is_active = serializers.BooleanField()
    invite_link = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    def get_unit_type(self, group: CommunityGroup) -> str:
        return type(group.unit).__name__.lower()

    def get_unit_code(self, group: CommunityGroup) -> str:
        return str(group.unit.code)

    def get_unit_name(self, group: CommunityGroup) -> str:
        return str(group.unit.name)

    def get_invite_link(self, group: CommunityGroup) -> str | None:
        """Only the group's admins see the invite link."""
        return group.invite_link if rules.may_administer(self.context["user"], group) else None

    def get_abilities(self, group: CommunityGroup) -> dict[str, bool]:
        return rules.abilities(self.context["user"], group)


class GroupListApi(ListAPIView):  # type: ignore[type-arg]
    """Community groups in your jurisdiction, with seats left and nominations awaiting vetting.

    `invite_link` is null unless you are one of the group's admins.
    """

    serializer_class = GroupOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.group_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user}


class GroupDetailApi(RetrieveAPIView):  # type: ignore[type-arg]
    """One community group in your jurisdiction; 404 for any other."""

    serializer_class = GroupOutput

    def get_object(self) -> CommunityGroup:
        return selectors.get_group_with_counts(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user}


# --- nominations ----------------------------------------------------------------------------


class HitOutput(serializers.Serializer):  # type: ignore[type-arg]
    entry = serializers.IntegerField()
    by = serializers.CharField()
    score = serializers.IntegerField()
    matched = serializers.CharField()
    category = serializers.CharField()


class NominationOutput(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    group = serializers.IntegerField(source="group_id")
    source = serializers.CharField()
    nominator = serializers.CharField(source="nominator.name", default=None)
    recorded_by = serializers.CharField(source="recorded_by.username", default=None)
    nominee_name = serializers.CharField()
    nominee_phone = serializers.SerializerMethodField()
    nominee_locality = serializers.CharField()
    nominee_language = serializers.CharField()
    status = serializers.CharField()
    screened_at = serializers.DateTimeField()
    screening = HitOutput(many=True)
    is_blocked = serializers.BooleanField()
    override_reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", default=None)
    decided_at = serializers.DateTimeField()
    decision_reason = serializers.CharField()
    revet_on = serializers.DateField()
    membership = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_nominee_phone(self, nomination: Nomination) -> str:
        """The full number for the group's deciders; masked for everyone else."""
        decide = rules.may_decide(self.context["user"], self.context["group"])
        return nomination.nominee_phone if decide else nomination.masked_phone

    def get_membership(self, nomination: Nomination) -> int | None:
        membership = getattr(nomination, "membership", None)
        return membership.pk if membership is not None else None


class NominationListApi(ListAPIView):  # type: ignore[type-arg]
    """Nominations of one group, oldest first. `?status=` filters (submitted, screened,
    approved, rejected, waitlisted); by default the open ones (awaiting a decision or a seat)."""

    serializer_class = NominationOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Nomination.objects.none()
        self.group = selectors.get_group_for_user(self.request.user, self.kwargs["pk"])
        wanted = self.request.query_params.get("status", "")
        return selectors.group_nominations(group=self.group, status=wanted)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user, "group": self.group}


class NominationDetailApi(APIView):
    """One nomination, with its screening result; 404 outside your jurisdiction."""

    serializer_class = NominationOutput

    def get(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_nomination_for_user(request.user, pk)
        context = {"user": request.user, "group": nomination.group}
        return Response(NominationOutput(nomination, context=context).data)


class NominationCreateApi(APIView):
    """Nominate someone for a group. The nominee is screened against the exclusion register
    at once (status `screened`); the response never reveals a match to anyone outside the
    group's officers. 409 when the person is already waiting or already a member."""

    class Input(serializers.Serializer):  # type: ignore[type-arg]
        source = serializers.ChoiceField(
            choices=[
                s.value for s in NominationSource if s is not NominationSource.SELF_APPLICATION
            ]
        )
        nominee_name = serializers.CharField(max_length=200)
        nominee_phone = PhoneInput()
        nominee_locality = serializers.CharField(max_length=200, required=False, default="")
        nominee_language = serializers.ChoiceField(
            choices=["en", "hi", "bn"], required=False, default="hi"
        )
        nominee_district = serializers.IntegerField(required=False)
        note = serializers.CharField(required=False, default="", allow_blank=True)
        nominee_consent = serializers.BooleanField()
        nominator = serializers.IntegerField(required=False)
        nominator_name = serializers.CharField(required=False, default="")
        nominator_phone = PhoneInput(required=False)
        nominator_organisation = serializers.CharField(required=False, default="")

    @extend_schema(
        request=Input, responses={201: NominationOutput}, parameters=[IDEMPOTENCY_HEADER]
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        group = selectors.get_group_for_user(request.user, pk)
        data = self._valid(request)
        try:
            nomination = services.submit_nomination(
                group=group,
                source=data["source"],
                nominee_name=data["nominee_name"],
                nominee_phone=data["nominee_phone"],
                nominee_consent=data["nominee_consent"],
                nominee_language=data["nominee_language"],
                nominee_locality=data["nominee_locality"],
                nominee_district=self._district(data.get("nominee_district")),
                note=data["note"],
                nominator=self._nominator(group, data.get("nominator")),
                nominator_details=self._details(data),
                by=request.user,
                request=request,
            )
        except GroupsError as error:
            return _error(error)
        output = NominationOutput(nomination, context={"user": request.user, "group": group})
        return Response(output.data, status=status.HTTP_201_CREATED)

    def _valid(self, request: Request) -> dict[str, Any]:
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _district(self, pk: int | None) -> District | None:
        return District.objects.filter(pk=pk).first() if pk else None

    def _nominator(self, group: CommunityGroup, pk: int | None) -> Nominator | None:
        if not pk:
            return None
        found = selectors.nominators_of(group=group).filter(pk=pk).first()
        if found is None:
            raise Http404("No such nominator.")
        return found

    def _details(self, data: dict[str, Any]) -> NominatorDetails | None:
        if not (data.get("nominator_name") and data.get("nominator_phone")):
            return None
        return NominatorDetails(
            kind=data["source"],
            name=data["nominator_name"],
            phone=data["nominator_phone"],
            organisation=data["nominator_organisation"],
        )


class DecisionOutput(serializers.Serializer):  # type: ignore[type-arg]
    outcome = serializers.CharField()
    membership = serializers.IntegerField(source="membership.pk", default=None)
    invite_problem = serializers.CharField()
    nomination = NominationOutput()


class NominationApproveApi(APIView):
    """Approve a screened (or waitlisted) nomination. `outcome` is `approved` (a seat is taken
    and the WhatsApp invite is queued), `waitlisted` (the group is full) or `blocked` (409: an
    exclusion-register match that no IC override covers). Body: `{"revet_on": "YYYY-MM-DD"}`
    (optional)."""

    class Input(serializers.Serializer):  # type: ignore[type-arg]
        revet_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(
        request=Input,
        responses={200: DecisionOutput, 409: DecisionOutput},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_nomination_for_user(request.user, pk)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            decision = services.approve_nomination(
                nomination=nomination,
                by=request.user,
                revet_on=serializer.validated_data["revet_on"],
                request=request,
            )
        except GroupsError as error:
            return _error(error)
        context = {"user": request.user, "group": nomination.group}
        body = DecisionOutput(decision, context=context).data
        blocked = decision.outcome == "blocked"
        return Response(body, status=status.HTTP_409_CONFLICT if blocked else status.HTTP_200_OK)


class NominationRejectApi(APIView):
    """Reject a nomination. Body: `{"reason": "..."}` (required; kept on record, never sent to
    the nominee)."""

    class Input(serializers.Serializer):  # type: ignore[type-arg]
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=Input, responses=NominationOutput, parameters=[IDEMPOTENCY_HEADER])
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        nomination = selectors.get_nomination_for_user(request.user, pk)
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            nomination = services.reject_nomination(
                nomination=nomination,
                by=request.user,
                reason=serializer.validated_data["reason"],
                request=request,
            )
        except GroupsError as error:
            return _error(error)
        context = {"user": request.user, "group": nomination.group}
        return Response(NominationOutput(nomination, context=context).data)


# --- memberships ----------------------------------------------------------------------------


class MembershipOutput(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    group = serializers.IntegerField(source="group_id")
    nomination = serializers.IntegerField(source="nomination_id")
    name = serializers.CharField(source="citizen.name")
    phone = serializers.SerializerMethodField()
    locality = serializers.CharField(source="citizen.locality")
    language = serializers.CharField(source="citizen.preferred_language")
    status = serializers.CharField()
    joined_on = serializers.DateField()
    ended_at = serializers.DateTimeField()
    removal_reason = serializers.CharField()
    strikes = serializers.IntegerField()
    removal_proposed_at = serializers.DateTimeField()
    invite_status = serializers.CharField(source="invite_delivery.status", default=None)
    revet_on = serializers.DateField(source="nomination.revet_on")

    def get_phone(self, membership: Membership) -> str:
        """The full number for the group's admins; masked for everyone else."""
        if rules.may_administer(self.context["user"], self.context["group"]):
            return membership.citizen.phone
        return membership.citizen.masked_phone


class MembershipListApi(ListAPIView):  # type: ignore[type-arg]
    """Members of one group. `?status=` is `active` (default), `removed`, `left` or `all`."""

    serializer_class = MembershipOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Membership.objects.none()
        self.group = selectors.get_group_for_user(self.request.user, self.kwargs["pk"])
        wanted = self.request.query_params.get("status", MembershipStatus.ACTIVE)
        return selectors.group_memberships(group=self.group, status=wanted)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user, "group": self.group}


class MembershipDetailApi(APIView):
    """One membership; 404 outside your jurisdiction."""

    serializer_class = MembershipOutput

    def get(self, request: Request, pk: int) -> Response:
        membership = selectors.get_membership_for_user(request.user, pk)
        context = {"user": request.user, "group": membership.group}
        return Response(MembershipOutput(membership, context=context).data)
