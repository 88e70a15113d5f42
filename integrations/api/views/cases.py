"""Absence cases: list, detail, ziekmelding, hersteldmelding, timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, can
from cases import services
from cases.models import CaseStatus, ExpectedDuration
from cases.selectors import (
    case_get,
    case_list,
    employee_get,
    employee_get_by_number,
)
from core.problems import ProblemError
from integrations.api.serializers import CaseOut, WorkabilityChangeOut
from integrations.api.views.base import FilteredListApi
from poortwachter.rules import RulesInputError
from poortwachter.services import chain_timeline_json


class CaseListApi(FilteredListApi):
    serializer_class = CaseOut

    class Filters(serializers.Serializer):
        status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
        employer = serializers.IntegerField(required=False, min_value=1)
        employee = serializers.IntegerField(required=False, min_value=1)
        first_sick_day_from = serializers.DateField(required=False)
        first_sick_day_to = serializers.DateField(required=False)

    @extend_schema(operation_id="cases_list", parameters=[Filters])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def filtered(self, filters: dict[str, Any]) -> QuerySet:
        qs = case_list(actor=self.request.user, status=filters.get("status"))
        if "employer" in filters:
            qs = qs.filter(employee__employer_id=filters["employer"])
        if "employee" in filters:
            qs = qs.filter(employee_id=filters["employee"])
        if "first_sick_day_from" in filters:
            qs = qs.filter(first_sick_day__gte=filters["first_sick_day_from"])
        if "first_sick_day_to" in filters:
            qs = qs.filter(first_sick_day__lte=filters["first_sick_day_to"])
        return qs


def _case_out(request: Request, case_id: int) -> dict[str, Any]:
    """A case as the list shows it (with its current percentage); 404 when
    the caller may not see it."""
    return CaseOut(get_object_or_404(case_list(actor=request.user), pk=case_id)).data


class CaseDetailApi(APIView):
    @extend_schema(operation_id="cases_get", responses=CaseOut)
    def get(self, request: Request, pk: int) -> Response:
        # One query: the list's selector already answers who may see it.
        return Response(_case_out(request, pk))


class ZiekmeldingCreateApi(APIView):
    """Report an employee sick: opens a case, or 409 when one is open."""

    @extend_schema_serializer(component_name="ZiekmeldingInput")
    class Input(serializers.Serializer):
        employee = serializers.IntegerField(
            required=False,
            min_value=1,
            help_text="Hervat's id of the employee; or give employer and "
            "personnel_number.",
        )
        employer = serializers.IntegerField(required=False, min_value=1)
        personnel_number = serializers.CharField(required=False, max_length=40)
        first_sick_day = serializers.DateField()
        expected_duration = serializers.ChoiceField(
            choices=ExpectedDuration.choices, default=ExpectedDuration.UNKNOWN
        )
        reachable_phone = serializers.CharField(
            required=False, allow_blank=True, max_length=30, default=""
        )
        reachable_address = serializers.CharField(
            required=False, allow_blank=True, max_length=500, default=""
        )
        accident_or_third_party = serializers.BooleanField(default=False)
        work_possible = serializers.BooleanField(default=False)
        agreements = serializers.CharField(
            required=False, allow_blank=True, max_length=2000, default=""
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            by_id = "employee" in attrs
            by_number = "employer" in attrs and "personnel_number" in attrs
            if by_id == by_number:
                raise serializers.ValidationError(
                    {
                        "employee": _(
                            "Geef het id van de werknemer, of werkgever en "
                            "personeelsnummer."
                        )
                    }
                )
            return attrs

    @extend_schema(
        operation_id="ziekmeldingen_create",
        request=Input,
        responses={201: CaseOut},
    )
    def post(self, request: Request) -> Response:
        data = _valid(self.Input, request)
        if "employee" in data:
            employee = employee_get(actor=request.user, employee_id=data["employee"])
        else:
            employee = employee_get_by_number(
                actor=request.user,
                employer_id=data["employer"],
                personnel_number=data["personnel_number"],
            )
        if not can(request.user, Action.ZIEKMELDING, employee):
            raise ProblemError(
                "permission-denied",
                _("U mag deze werknemer niet ziek melden."),
                status_code=403,
            )
        case = services.ziekmelding_create(
            actor=request.user,
            employee=employee,
            first_sick_day=data["first_sick_day"],
            expected_duration=data["expected_duration"],
            reachable_phone=data["reachable_phone"],
            reachable_address=data["reachable_address"],
            accident_or_third_party=data["accident_or_third_party"],
            work_possible=data["work_possible"],
            agreements=data["agreements"],
        )
        return Response(
            _case_out(request, case.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:case-detail", kwargs={"pk": case.pk})},
        )


class HersteldmeldingCreateApi(APIView):
    """Report a full (percentage_fit 100) or partial recovery."""

    @extend_schema_serializer(component_name="HersteldmeldingInput")
    class Input(serializers.Serializer):
        effective_date = serializers.DateField(
            help_text="First day of the new situation; for full recovery the "
            "first fit day (hersteldatum)."
        )
        percentage_fit = serializers.IntegerField(
            min_value=0, max_value=100, default=100
        )
        hours_worked = serializers.DecimalField(
            max_digits=4,
            decimal_places=1,
            min_value=0,
            max_value=168,
            required=False,
            allow_null=True,
            default=None,
        )

    @extend_schema(
        operation_id="hersteldmeldingen_create",
        request=Input,
        responses={201: WorkabilityChangeOut},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_get(actor=request.user, case_id=pk)
        if not can(request.user, Action.HERSTELDMELDING, case):
            raise ProblemError(
                "permission-denied",
                _("U mag voor dit dossier geen herstel melden."),
                status_code=403,
            )
        data = _valid(self.Input, request)
        change = services.hersteldmelding_create(
            actor=request.user,
            case=case,
            effective_date=data["effective_date"],
            percentage_fit=data["percentage_fit"],
            hours_worked=data["hours_worked"],
        )
        return Response(
            WorkabilityChangeOut(change).data, status=status.HTTP_201_CREATED
        )


class CaseTimelineApi(APIView):
    """The Poortwachter deadlines of the case's chain, as the rules engine
    computes them (its JSON document)."""

    @extend_schema(operation_id="cases_timeline", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        case = case_get(actor=request.user, case_id=pk)
        try:
            document = chain_timeline_json(case=case)
        except RulesInputError as exc:
            raise ProblemError(
                "business-rule",
                _("De feiten van dit dossier kloppen niet: %(reason)s")
                % {"reason": exc},
                status_code=409,
            ) from exc
        return Response(document)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
