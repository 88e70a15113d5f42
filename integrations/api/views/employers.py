"""Employers the caller covers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import employer_get, employer_list
from integrations.api.serializers import EmployerOut
from integrations.api.views.base import FilteredListApi


class EmployerListApi(FilteredListApi):
    serializer_class = EmployerOut

    class Filters(serializers.Serializer):
        name = serializers.CharField(required=False, max_length=200)

    @extend_schema(operation_id="employers_list", parameters=[Filters])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def filtered(self, filters: dict[str, Any]) -> QuerySet:
        qs = employer_list(actor=self.request.user)
        if "name" in filters:
            qs = qs.filter(name__icontains=filters["name"])
        return qs


class EmployerDetailApi(APIView):
    @extend_schema(operation_id="employers_get", responses=EmployerOut)
    def get(self, request: Request, pk: int) -> Response:
        employer = employer_get(actor=request.user, employer_id=pk)
        return Response(EmployerOut(employer).data)
