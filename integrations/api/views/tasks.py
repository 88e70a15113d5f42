"""Tasks on the cases the caller sees: list and complete."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, can
from core.problems import ProblemError
from integrations.api.serializers import TaskOut
from integrations.api.views.base import FilteredListApi
from poortwachter.models import TaskStatus
from poortwachter.selectors import task_get, task_list
from poortwachter.services import task_complete


class TaskListApi(FilteredListApi):
    serializer_class = TaskOut

    class Filters(serializers.Serializer):
        status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
        case = serializers.IntegerField(required=False, min_value=1)
        employer = serializers.IntegerField(required=False, min_value=1)
        due_before = serializers.DateField(required=False)
        due_from = serializers.DateField(required=False)

    @extend_schema(operation_id="tasks_list", parameters=[Filters])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def filtered(self, filters: dict[str, Any]) -> QuerySet:
        qs = task_list(actor=self.request.user)
        if "status" in filters:
            qs = qs.filter(status=filters["status"])
        if "case" in filters:
            qs = qs.filter(case_id=filters["case"])
        if "employer" in filters:
            qs = qs.filter(case__employee__employer_id=filters["employer"])
        if "due_before" in filters:
            qs = qs.filter(due_date__lt=filters["due_before"])
        if "due_from" in filters:
            qs = qs.filter(due_date__gte=filters["due_from"])
        return qs


class TaskCompleteApi(APIView):
    """Mark a task done, with an optional note and the day it was done."""

    @extend_schema_serializer(component_name="TaskCompleteInput")
    class Input(serializers.Serializer):
        note = serializers.CharField(
            required=False, allow_blank=True, max_length=2000, default=""
        )
        completed_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(operation_id="tasks_complete", request=Input, responses=TaskOut)
    def post(self, request: Request, pk: int) -> Response:
        task = task_get(actor=request.user, task_id=pk)
        if not can(request.user, Action.WORK_TASK, task):
            raise ProblemError(
                "permission-denied",
                _("Deze taak staat niet op uw naam."),
                status_code=403,
            )
        serializer = self.Input(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = task_complete(
            actor=request.user,
            task=task,
            note=serializer.validated_data["note"],
            completed_on=serializer.validated_data.get("completed_on"),
        )
        return Response(TaskOut(task_get(actor=request.user, task_id=done.pk)).data)
