"""Employees of the employers the caller covers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import employee_get, employee_list
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
