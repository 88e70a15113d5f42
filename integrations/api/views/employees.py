"""Employees of the employers the caller covers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, can
from accounts.models import Language
from cases.selectors import employee_get, employee_list, employer_get
from cases.services import employee_upsert
from core.problems import ProblemError
from integrations.api.serializers import EmployeeOut
from integrations.api.views.base import FilteredListApi


class EmployeeListApi(FilteredListApi):
    serializer_class = EmployeeOut

    class Filters(serializers.Serializer):
        employer = serializers.IntegerField(required=False, min_value=1)
        personnel_number = serializers.CharField(required=False, max_length=40)

    @extend_schema(operation_id="employees_list", parameters=[Filters])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def filtered(self, filters: dict[str, Any]) -> QuerySet:
        qs = employee_list(actor=self.request.user).select_related("manager")
        if "employer" in filters:
            qs = qs.filter(employer_id=filters["employer"])
        if "personnel_number" in filters:
            qs = qs.filter(personnel_number=filters["personnel_number"])
        return qs


class EmployeeDetailApi(APIView):
    @extend_schema(operation_id="employees_get", responses=EmployeeOut)
    def get(self, request: Request, pk: int) -> Response:
        employee = employee_get(actor=request.user, employee_id=pk)
        return Response(EmployeeOut(employee).data)


class EmployeeUpsertApi(APIView):
    """Create or update the employee with this personnel number at this
    employer: the HR system's own key. Only the fields sent are changed; an
    employee is never deleted (send ``employment_end`` instead). 201 when
    created, 200 when updated or unchanged."""

    @extend_schema_serializer(component_name="EmployeeUpsertInput")
    class Input(serializers.Serializer):
        bsn = serializers.CharField(required=False, allow_blank=True, max_length=11)
        initials = serializers.CharField(
            required=False, allow_blank=True, max_length=20
        )
        first_name = serializers.CharField(
            required=False, allow_blank=True, max_length=100
        )
        surname_prefix = serializers.CharField(
            required=False, allow_blank=True, max_length=20
        )
        surname = serializers.CharField(required=False, max_length=100)
        birth_name = serializers.CharField(
            required=False, allow_blank=True, max_length=100
        )
        date_of_birth = serializers.DateField(required=False, allow_null=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
        preferred_language = serializers.ChoiceField(
            choices=Language.choices, required=False
        )
        job_title = serializers.CharField(
            required=False, allow_blank=True, max_length=200
        )
        department = serializers.CharField(
            required=False, allow_blank=True, max_length=100
        )
        contract_hours = serializers.DecimalField(
            max_digits=3,
            decimal_places=1,
            min_value=0,
            max_value=60,
            required=False,
            allow_null=True,
        )
        manager_email = serializers.EmailField(
            required=False, allow_blank=True, allow_null=True
        )
        employment_start = serializers.DateField(required=False)
        employment_end = serializers.DateField(required=False, allow_null=True)

    @extend_schema(
        operation_id="employees_upsert",
        request=Input,
        responses={200: EmployeeOut, 201: EmployeeOut},
    )
    def put(
        self, request: Request, employer_id: int, personnel_number: str
    ) -> Response:
        employer = employer_get(actor=request.user, employer_id=employer_id)
        if not can(request.user, Action.EMPLOYEE_WRITE, employer):
            raise ProblemError(
                "permission-denied",
                _("U mag de werknemers van deze werkgever niet bijwerken."),
                status_code=403,
            )
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        employee, created = employee_upsert(
            actor=request.user,
            employer=employer,
            personnel_number=personnel_number,
            fields=dict(serializer.validated_data),
        )
        body = EmployeeOut(
            employee_get(actor=request.user, employee_id=employee.pk)
        ).data
        if not created:
            return Response(body)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": reverse("api:employee-detail", kwargs={"pk": employee.pk})
            },
        )
