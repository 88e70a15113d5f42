"""The permission matrix: every URL of the product, for every role, in its own and
other tenant, with the status each must get.

The URL list is read from Django's resolver, so a new URL without an entry
in ``MATRIX`` (or a reasoned entry in ``ADMIN_SITES``) fails
``test_every_url_has_an_entry``. Each request runs in a savepoint that is
rolled back, so a POST allowed for one role changes nothing for the next.

Statuses: 200 page, 201/202 created/accepted, 302 redirect (a form that
accepted an empty POST, or login), 400 refused input, 403 forbidden for a
role that may see the object but not do this, 404 not there for this person
(another tenant's objects always look missing), 405 wrong method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.scoping import tenant_scope
from tests.fixtures import verified_login

ROLES = (
    "anonymous",
    "werknemer",
    "leidinggevende",
    "hr",
    "regiehouder",
    "casemanager",
    "casemanager_td",
    "bedrijfsarts",
    "tenant_admin",
    "other_tenant",
)


@dataclass
class Objects:
    """One of everything on the team case (employer A1, the manager's team,
    the bedrijfsarts assigned): ids for the URLs."""

    ids: dict[str, int] = field(default_factory=dict)
    token: str = ""


@pytest.fixture
def objects(world) -> Objects:
    from cases.models import Intervention
    from documents.models import (
        Document,
        DocumentKind,
        Signature,
        SignatureMethod,
    )
    from poortwachter.models import Task, TaskSource
    from poortwachter.services import consult_record, probleemanalyse_record
    from poortwachter.services.appointments import appointment_plan
    from triage.models import Questionnaire
    from triage.selectors import routing_decision_latest
    from triage.services import invitation_create, response_save

    case = world.team_case
    today = timezone.localdate()
    physician = world.user("bedrijfsarts")
    regiehouder = world.user("regiehouder")
    out = Objects()
    with tenant_scope(world.tenant_a):
        out.ids["intervention"] = Intervention.objects.create(
            tenant=world.tenant_a,
            case=case,
            kind="coaching",
            requested_on=today,
            created_by=regiehouder,
        ).pk
        out.ids["task"] = Task.objects.create(
            tenant=world.tenant_a,
            case=case,
            source=TaskSource.PROTOCOL,
            key="matrix",
            title="Wekelijks contact",
            assignee_role="casemanager",
            assignee=world.user("casemanager"),
            due_date=today,
            plan_by=today,
        ).pk
        out.ids["probleemanalyse"] = probleemanalyse_record(
            actor=physician,
            case=case,
            kind="eerste",
            made_on=today,
            limitations="Niet tillen",
            advice="Halve dagen",
            anamnesis="medisch",
            today=today,
        ).pk
        out.ids["consult"] = consult_record(
            actor=physician,
            case=case,
            held_on=today,
            kind="spreekuur",
            notes="medisch",
            today=today,
        ).pk
        out.ids["appointment"] = appointment_plan(
            actor=regiehouder,
            case=case,
            kind="evaluatiegesprek",
            date=today + dt.timedelta(days=7),
            start_time=dt.time(10),
            end_time=dt.time(11),
            location="Kantoor",
        ).pk
        document = Document.objects.create(
            tenant=world.tenant_a,
            case=case,
            kind=DocumentKind.PLAN_VAN_AANPAK,
            template_version="test",
            data={"werknemer_naam": "Test"},
        )
        out.ids["document"] = document.pk
        signature = Signature(
            tenant=world.tenant_a,
            document=document,
            party="werkgever",
            name="HR",
            signed_at=timezone.now(),
            method=SignatureMethod.SCAN,
        )
        signature.scan.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
        signature.save()
        out.ids["signature"] = signature.pk
        invitation = invitation_create(
            actor=None,
            case=case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
        out.ids["invitation"] = invitation.pk
        for section, answers in (
            (
                "werk",
                {
                    "work_possible": "other",
                    "expected_duration": "month",
                    "workability": 4,
                },
            ),
            ("werkfactoren", {"work_related": "no"}),
            ("gezondheid", {"complaints": "x", "treatment": "waiting"}),
        ):
            response_save(invitation=invitation, section=section, answers=answers)
        response_save(
            invitation=invitation,
            section="contact",
            answers={"contact_wish": "casemanager"},
            submit=True,
        )
        out.ids["routing"] = routing_decision_latest(case=case).pk
        # An open link for the employee's pages.
        from triage.links import invitation_token

        out.token = invitation_token(
            invitation_create(
                actor=None,
                case=case,
                questionnaire=Questionnaire.objects.get(key="werknemersvisie"),
            )
        )
    out.ids["case"] = case.pk
    out.ids["employee"] = world.team_employee.pk
    out.ids["employer"] = world.employer_a1.pk
    return out


def _url_names() -> set[str]:
    def walk(resolver: URLResolver, namespace: str | None) -> set[str]:
        names: set[str] = set()
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                if namespace and inner:
                    inner = f"{namespace}:{inner}"
                names |= walk(pattern, inner or namespace)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                names.add(f"{namespace}:{name}" if namespace else name)
        return names

    return walk(get_resolver(), None)


# Kwargs builders: (objects) -> url kwargs
def _t(**extra: str) -> Callable[[Objects], dict]:
    def build(o: Objects) -> dict:
        return {"tenant_slug": "tenant-a", **{k: o.ids[v] for k, v in extra.items()}}

    return build


def _none(o: Objects) -> dict:
    return {}


def _api(**extra: str) -> Callable[[Objects], dict]:
    def build(o: Objects) -> dict:
        return {k: o.ids[v] for k, v in extra.items()}

    return build


# url name -> (kwargs, method). The statuses are in MATRIX below.
TARGETS: dict[str, tuple[Callable[[Objects], dict], str]] = {
    "home": (_none, "GET"),
    "login": (_none, "GET"),
    "accounts:security": (_none, "GET"),
    "accounts:two_factor_enrol": (_none, "GET"),
    "accounts:two_factor_verify": (_none, "GET"),
    "logout": (_none, "POST"),
    "password_change": (_none, "GET"),
    "password_change_done": (_none, "GET"),
    "password_reset": (_none, "GET"),
    "password_reset_done": (_none, "GET"),
    "password_reset_complete": (_none, "GET"),
    "set_language": (_none, "POST"),
    "tenant_admin_enter": (_t(), "GET"),
    "cases:home": (_t(), "GET"),
    "cases:employer_detail": (_t(pk="employer"), "GET"),
    "cases:employee_detail": (_t(pk="employee"), "GET"),
    "cases:case_detail": (_t(pk="case"), "GET"),
    "cases:ziekmelding": (_t(), "GET"),
    "cases:case_assign": (_t(pk="case"), "GET"),
    "cases:hersteldmelding": (_t(pk="case"), "GET"),
    "cases:contact_note_add": (_t(pk="case"), "GET"),
    "cases:intervention_add": (_t(pk="case"), "GET"),
    "cases:intervention_edit": (_t(pk="case", intervention_pk="intervention"), "GET"),
    "poortwachter:queue": (_t(), "GET"),
    "poortwachter:overview": (_t(), "GET"),
    "poortwachter:physician_cases": (_t(), "GET"),
    "poortwachter:task_complete": (_t(pk="task"), "POST"),
    "poortwachter:task_snooze": (_t(pk="task"), "POST"),
    "poortwachter:task_reassign": (_t(pk="task"), "POST"),
    "poortwachter:case_timeline": (_t(pk="case"), "GET"),
    "poortwachter:probleemanalyse_add": (_t(pk="case"), "GET"),
    "poortwachter:fml_add": (_t(pk="case"), "GET"),
    "poortwachter:consult_add": (_t(pk="case"), "GET"),
    "poortwachter:appointment_add": (_t(pk="case"), "GET"),
    "poortwachter:appointment_edit": (
        _t(pk="case", appointment_pk="appointment"),
        "GET",
    ),
    "poortwachter:appointment_cancel": (
        _t(pk="case", appointment_pk="appointment"),
        "POST",
    ),
    "poortwachter:consult_medical": (_t(pk="consult"), "GET"),
    "poortwachter:probleemanalyse_medical": (_t(pk="probleemanalyse"), "GET"),
    "documents:case_documents": (_t(pk="case"), "GET"),
    "documents:document_detail": (_t(pk="document"), "GET"),
    "documents:document_edit": (_t(pk="document"), "GET"),
    "documents:document_submit": (_t(pk="document"), "POST"),
    "documents:document_new_version": (_t(pk="document"), "POST"),
    "documents:document_sign": (_t(pk="document"), "POST"),
    "documents:document_scan": (_t(pk="document"), "GET"),
    "documents:signature_scan_download": (
        _t(pk="document", signature_pk="signature"),
        "GET",
    ),
    "documents:document_download": (_t(pk="document"), "GET"),
    "documents:reintegratieverslag": (_t(pk="case"), "GET"),
    "documents:reintegratieverslag_download": (_t(pk="case"), "GET"),
    "triage:invitation_send": (_t(pk="case"), "POST"),
    "triage:unanswered": (_t(), "GET"),
    "triage:answers": (_t(pk="invitation"), "GET"),
    "triage:answers_medical": (_t(pk="invitation"), "GET"),
    "triage:invitation_resend": (_t(pk="invitation"), "POST"),
    "triage:invitation_revoke": (_t(pk="invitation"), "POST"),
    "triage:signals": (_t(), "GET"),
    "triage:routing_decide": (_t(pk="routing"), "POST"),
    "uwv:export": (_t(pk="case"), "GET"),
    "analytics:index": (_t(), "GET"),
    "analytics:dashboard": (_t(pk="employer"), "GET"),
    "analytics:export": (_t(pk="employer"), "GET"),
    "analytics:report": (_t(pk="employer"), "GET"),
    "uwv:riv_package_download": (_t(pk="case"), "GET"),
    "password_reset_confirm": (
        lambda o: {"uidb64": "MQ", "token": "set-password"},
        "GET",
    ),
    "triage_public:done": (_none, "GET"),
    "triage_public:start": (lambda o: {"token": o.token}, "GET"),
    "triage_public:section": (
        lambda o: {"token": o.token, "section_key": "werk"},
        "GET",
    ),
    "documents:document_create": (
        lambda o: {**_t(pk="case")(o), "kind": "plan_van_aanpak"},
        "POST",
    ),
    "uwv:melding_42_download": (
        lambda o: {**_t(pk="case")(o), "file_format": "json"},
        "GET",
    ),
    "api:employee-upsert": (
        lambda o: {"employer_id": o.ids["employer"], "personnel_number": "M-1"},
        "PUT",
    ),
    "api:schema": (_none, "GET"),
    "api:docs": (_none, "GET"),
    "api:employer-list": (_none, "GET"),
    "api:employer-detail": (_api(pk="employer"), "GET"),
    "api:employee-list": (_none, "GET"),
    "api:employee-detail": (_api(pk="employee"), "GET"),
    "api:case-list": (_none, "GET"),
    "api:case-detail": (_api(pk="case"), "GET"),
    "api:case-timeline": (_api(pk="case"), "GET"),
    "api:hersteldmelding-create": (_api(pk="case"), "POST"),
    "api:ziekmelding-create": (_none, "POST"),
    "api:task-list": (_none, "GET"),
    "api:task-complete": (_api(pk="task"), "POST"),
    "api:document-list": (_none, "GET"),
    "api:document-download": (_api(pk="document"), "GET"),
}


API_ROLES = ("key_read", "key_write", "key_other_tenant")


def _client(world, role: str, make_key) -> Client:
    from rest_framework.test import APIClient

    client = APIClient()
    if role == "anonymous":
        return client
    if role.startswith("key_"):
        from integrations.models import ApiKeyScope

        if role == "key_other_tenant":
            secret = make_key(tenant=world.tenant_b)
        else:
            scope = ApiKeyScope.READ if role == "key_read" else ApiKeyScope.WRITE
            secret = make_key(scope=scope)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client
    user = world.casemanager_b if role == "other_tenant" else world.user(role)
    verified_login(client, user)
    return client


def _status(client: Client, method: str, url: str) -> int:
    """The status of one request, in a savepoint rolled back afterwards."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "PUT":
            response = client.put(url, {}, format="json")
        else:
            response = (
                client.post(url, {}, format="json")
                if url.startswith("/api/")
                else client.post(url, {})
            )
        transaction.set_rollback(True)
    return response.status_code


# Reviewed statuses per URL; "*" is every role not named. Read with the
# module docstring: e.g. a leidinggevende gets 400 on an empty hersteldmelding
# (may report, the form is empty) where the bedrijfsarts gets 403 (may see
# the case, may not report); pages that some roles reach with an empty list
# (the ziekmelding form, the physician's worklist, the queue) are 200.
# The absence figures: HR, whoever runs cases and the tenant admin; everyone
# else (and another tenant) finds nothing there.
_STATISTICS = {
    "*": 404,
    "anonymous": 302,
    "hr": 200,
    "regiehouder": 200,
    "casemanager": 200,
    "casemanager_td": 200,
    "tenant_admin": 200,
}

MATRIX: dict[str, dict[str, int]] = {
    "analytics:index": _STATISTICS,
    "analytics:dashboard": _STATISTICS,
    "analytics:export": _STATISTICS,
    "analytics:report": _STATISTICS,
    "api:case-detail": {
        "*": 200,
        "anonymous": 401,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
        "key_other_tenant": 404,
    },
    "api:case-list": {"*": 200, "anonymous": 401},
    "api:case-timeline": {
        "*": 200,
        "anonymous": 401,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
        "key_other_tenant": 404,
    },
    "api:docs": {
        "*": 200,
    },
    "api:document-download": {
        "*": 202,
        "anonymous": 401,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
        "key_other_tenant": 404,
    },
    "api:document-list": {"*": 200, "anonymous": 401},
    "api:employee-detail": {
        "*": 200,
        "anonymous": 401,
        "werknemer": 404,
        "other_tenant": 404,
        "key_other_tenant": 404,
    },
    "api:employee-list": {"*": 200, "anonymous": 401},
    "api:employee-upsert": {
        "*": 403,
        "anonymous": 401,
        "tenant_admin": 400,
        "other_tenant": 404,
        "key_write": 400,
        "key_other_tenant": 404,
    },
    "api:employer-detail": {
        "*": 200,
        "anonymous": 401,
        "other_tenant": 404,
        "key_other_tenant": 404,
    },
    "api:employer-list": {"*": 200, "anonymous": 401},
    "api:hersteldmelding-create": {
        "*": 400,
        "anonymous": 401,
        "werknemer": 404,
        "bedrijfsarts": 403,
        "tenant_admin": 404,
        "other_tenant": 404,
        "key_read": 403,
        "key_other_tenant": 404,
    },
    "api:schema": {
        "*": 200,
    },
    "api:task-complete": {
        "*": 404,
        "anonymous": 401,
        "leidinggevende": 403,
        "hr": 403,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
        "bedrijfsarts": 403,
        "key_read": 403,
        "key_write": 200,
    },
    "api:task-list": {"*": 200, "anonymous": 401},
    "api:ziekmelding-create": {"*": 400, "anonymous": 401, "key_read": 403},
    "cases:case_assign": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "cases:case_detail": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "cases:contact_note_add": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "bedrijfsarts": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "cases:employee_detail": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "other_tenant": 404,
    },
    "cases:employer_detail": {"*": 200, "anonymous": 302, "other_tenant": 404},
    "cases:hersteldmelding": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "bedrijfsarts": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "cases:home": {
        "*": 200,
        "anonymous": 302,
        "bedrijfsarts": 302,
        "other_tenant": 404,
    },
    "cases:intervention_add": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "cases:intervention_edit": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "cases:ziekmelding": {"*": 200, "anonymous": 302, "other_tenant": 404},
    "documents:case_documents": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "documents:document_create": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "documents:document_detail": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "documents:document_download": {
        "*": 202,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "documents:document_edit": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "documents:document_new_version": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "documents:document_scan": {
        "*": 404,
        "anonymous": 302,
        "hr": 200,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "documents:document_sign": {
        "*": 302,
        "werknemer": 404,
        "leidinggevende": 404,
        "bedrijfsarts": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "documents:document_submit": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "documents:reintegratieverslag": {
        "*": 404,
        "anonymous": 302,
        "hr": 200,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "documents:reintegratieverslag_download": {
        "*": 404,
        "anonymous": 302,
        "hr": 202,
        "regiehouder": 202,
        "casemanager": 202,
        "casemanager_td": 202,
    },
    "documents:signature_scan_download": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "home": {
        "*": 302,
    },
    "login": {"*": 302, "anonymous": 200},
    "accounts:security": {"*": 200, "anonymous": 302},
    # A verified session has enrolled and entered its code already: both
    # pages send it on (to the security page, to where it was going).
    "accounts:two_factor_enrol": {"*": 302},
    "accounts:two_factor_verify": {"*": 302},
    "logout": {
        "*": 302,
    },
    "password_change": {"*": 200, "anonymous": 302},
    "password_change_done": {"*": 200, "anonymous": 302},
    "password_reset": {
        "*": 200,
    },
    "password_reset_complete": {
        "*": 200,
    },
    "password_reset_confirm": {
        "*": 200,
    },
    "password_reset_done": {
        "*": 200,
    },
    "poortwachter:appointment_add": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "poortwachter:appointment_cancel": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "poortwachter:appointment_edit": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "poortwachter:case_timeline": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "poortwachter:consult_add": {
        "*": 404,
        "anonymous": 302,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "poortwachter:consult_medical": {
        "*": 404,
        "anonymous": 302,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "poortwachter:fml_add": {
        "*": 404,
        "anonymous": 302,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "poortwachter:overview": {"*": 200, "anonymous": 302, "other_tenant": 404},
    "poortwachter:physician_cases": {"*": 200, "anonymous": 302, "other_tenant": 404},
    "poortwachter:probleemanalyse_add": {
        "*": 404,
        "anonymous": 302,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "poortwachter:probleemanalyse_medical": {
        "*": 404,
        "anonymous": 302,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "poortwachter:queue": {"*": 200, "anonymous": 302, "other_tenant": 404},
    "poortwachter:task_complete": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "poortwachter:task_reassign": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "poortwachter:task_snooze": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "set_language": {
        "*": 302,
    },
    "tenant_admin_enter": {"*": 404, "anonymous": 302, "tenant_admin": 302},
    "triage:answers": {
        "*": 200,
        "anonymous": 302,
        "werknemer": 404,
        "tenant_admin": 404,
        "other_tenant": 404,
    },
    "triage:answers_medical": {
        "*": 404,
        "anonymous": 302,
        "casemanager_td": 200,
        "bedrijfsarts": 200,
    },
    "triage:invitation_resend": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "triage:invitation_revoke": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "triage:invitation_send": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 302,
        "casemanager": 302,
        "casemanager_td": 302,
    },
    "triage:routing_decide": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "triage:signals": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "triage:unanswered": {
        "*": 404,
        "anonymous": 302,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "triage_public:done": {
        "*": 200,
    },
    "triage_public:section": {
        "*": 200,
    },
    "triage_public:start": {
        "*": 200,
    },
    "uwv:export": {
        "*": 404,
        "anonymous": 302,
        "hr": 200,
        "regiehouder": 200,
        "casemanager": 200,
        "casemanager_td": 200,
    },
    "uwv:melding_42_download": {
        "*": 404,
        "anonymous": 302,
        "hr": 409,
        "regiehouder": 409,
        "casemanager": 409,
        "casemanager_td": 409,
    },
    "uwv:riv_package_download": {
        "*": 404,
        "anonymous": 302,
        "hr": 202,
        "regiehouder": 202,
        "casemanager": 202,
        "casemanager_td": 202,
    },
}

# URL names that are not pages of their own.
EXEMPT = {
    "api:<unnamed >": "the API's own 404 for any unknown path under /api/v1/",
}
ADMIN_NAMESPACES = ("tenant_admin:", "admin:")


def test_every_url_has_an_entry():
    names = {n for n in _url_names() if not n.startswith(ADMIN_NAMESPACES)}
    assert names - set(MATRIX) - set(EXEMPT) == set(), "add them to MATRIX"
    assert set(MATRIX) - names == set(), "MATRIX names URLs that do not exist"
    assert set(TARGETS) == set(MATRIX)


def test_every_role_gets_the_status_of_the_matrix(world, objects, make_key):
    wrong = []
    for name, expected in sorted(MATRIX.items()):
        kwargs, method = TARGETS[name]
        url = reverse(name, kwargs=kwargs(objects))
        roles = ROLES + (API_ROLES if name.startswith("api:") else ())
        for role in roles:
            want = expected.get(role, expected["*"])
            got = _status(_client(world, role, make_key), method, url)
            if got != want:
                wrong.append(f"{method} {name} as {role}: {got}, expected {want}")
    assert wrong == []


def _admin_urls() -> list[tuple[str, str]]:
    """(name, url) of every admin page, with placeholder values: what matters
    here is who gets in at all, not the object."""
    from accounts.admin import platform_admin_site, tenant_admin_site

    sites = {"tenant_admin": tenant_admin_site, "admin": platform_admin_site}

    def patterns(resolver: URLResolver) -> list[URLPattern]:
        out: list[URLPattern] = []
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                out += patterns(pattern)
            elif pattern.name:  # the admin's own catch-all is unnamed
                out.append(pattern)
        return out

    urls = []
    for resolver in get_resolver().url_patterns:
        if not isinstance(resolver, URLResolver) or resolver.namespace not in sites:
            continue
        label = next(iter(sites[resolver.namespace]._registry))._meta.app_label
        for pattern in patterns(resolver):
            kwargs = {
                key: (label if key == "app_label" else "999999")
                for key in pattern.pattern.regex.groupindex
            }
            name = f"{resolver.namespace}:{pattern.name}"
            urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


# Pages of the admin sites that answer everyone: the platform login form.
OPEN_ADMIN_PAGES = {"admin:login": 200}


def test_admin_sites_let_in_only_their_own_people(world):
    """The tenant admin (/beheer/) is for the tenant's admins only; everyone
    else gets 404 on every page of it, whether the page exists or not. The
    platform admin (/admin/) sends every non-staff user to its login."""
    from accounts.middleware import ADMIN_TENANT_SESSION_KEY

    urls = _admin_urls()
    assert len(urls) > 100
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            verified_login(
                client,
                world.casemanager_b if role == "other_tenant" else world.user(role),
            )
            session = client.session
            session[ADMIN_TENANT_SESSION_KEY] = world.tenant_a.pk
            session.save()
        for name, url in urls:
            status = client.get(url).status_code
            if name in OPEN_ADMIN_PAGES:
                assert status == OPEN_ADMIN_PAGES[name], (role, url, status)
            elif name.startswith("admin:") or role == "anonymous":
                assert status == 302, (role, url)
            elif role == "tenant_admin":
                assert status in (200, 302, 403, 404, 405), (role, url, status)
            else:
                assert status == 404, (role, url, status)
