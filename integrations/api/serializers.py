"""Output shapes shared by several operations; each operation's input
serializer lives next to its APIView.

Field names are English snake_case, with the Dutch legal terms kept
(``first_sick_day``, ``ziekmelding``, ``plan_van_aanpak``). Nothing here
reaches medical data: no consult, probleemanalyse, FML or triage answers.
The BSN is accepted on writes and never returned.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from cases.models import AbsenceCase, Employee, Employer, WorkabilityChange
from documents.models import Document
from poortwachter.models import Task


class EmployerOut(serializers.ModelSerializer):
    class Meta:
        model = Employer
        fields = ["id", "name", "kvk_number", "loonheffingennummer"]


class EmployeeOut(serializers.ModelSerializer):
    employer = serializers.IntegerField(source="employer_id")
    manager_email = serializers.SerializerMethodField()
    contract_hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )

    class Meta:
        model = Employee
        fields = [
            "id",
            "employer",
            "personnel_number",
            "initials",
            "first_name",
            "surname_prefix",
            "surname",
            "date_of_birth",
            "email",
            "phone",
            "preferred_language",
            "job_title",
            "department",
            "contract_hours",
            "manager_email",
            "employment_start",
            "employment_end",
        ]

    def get_manager_email(self, obj: Employee) -> str | None:
        return obj.manager.email if obj.manager_id else None


class CaseEmployeeOut(serializers.Serializer):
    id = serializers.IntegerField()
    personnel_number = serializers.CharField()
    name = serializers.CharField(source="display_name")


class CaseOut(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    employee = CaseEmployeeOut()
    employer = serializers.IntegerField(source="employee.employer_id")
    previous_case = serializers.IntegerField(source="previous_case_id", allow_null=True)
    percentage_unfit = serializers.IntegerField(allow_null=True)

    class Meta:
        model = AbsenceCase
        fields = [
            "id",
            "reference",
            "employee",
            "employer",
            "status",
            "first_sick_day",
            "recovery_date",
            "percentage_unfit",
            "expected_duration",
            "work_possible",
            "accident_or_third_party",
            "route",
            "reported_at",
            "previous_case",
        ]

    def get_reference(self, obj: AbsenceCase) -> str:
        return f"VZ-{obj.pk:06d}"


class WorkabilityChangeOut(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    percentage_fit = serializers.SerializerMethodField()
    hours_worked = serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )

    class Meta:
        model = WorkabilityChange
        fields = [
            "id",
            "case",
            "effective_date",
            "percentage_fit",
            "percentage_unfit",
            "hours_worked",
        ]

    def get_percentage_fit(self, obj: WorkabilityChange) -> int:
        return 100 - obj.percentage_unfit


class TaskOut(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    assignee_email = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "key",
            "round",
            "title",
            "source",
            "assignee_role",
            "assignee_email",
            "due_date",
            "plan_by",
            "status",
            "completed_at",
        ]

    def get_assignee_email(self, obj: Task) -> str | None:
        return obj.assignee.email if obj.assignee_id else None


class DocumentOut(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "kind",
            "version",
            "status",
            "language",
            "signed_at",
            "sha256",
            "created_at",
            "download_url",
        ]

    def get_download_url(self, obj: Document) -> str:
        return reverse("api:document-download", kwargs={"pk": obj.pk})
