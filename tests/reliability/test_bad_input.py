"""Bad input everywhere: every portal form, posted through its real view with
hostile values in every field the page shows, never answers a 500 and never
writes anything when it answers with the form again.

The fields are read from the page itself (every ``name=`` of an input,
select or textarea), so a field added later is fuzzed too. Values: empty,
very long, NUL and other control characters, right-to-left marks and other
unicode, HTML and script, SQL-ish text, impossible dates, huge and negative
numbers, lists where one value is expected, files with the wrong content.
"Nothing written" is checked on the audit trail (every service writes an
audit event in its transaction) and on the rows a form could create.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from cases.models import (
    AbsenceCase,
    ContactNote,
    Intervention,
    WorkabilityChange,
)
from documents.models import Document, DocumentKind, Signature
from documents.services import document_create, document_signatures_request
from poortwachter.models import Appointment, Task, TaskStatus
from poortwachter.services import deadlines_refresh_for_case
from tests.fixtures import verified_login
from triage.links import invitation_token
from triage.models import Invitation, Questionnaire, Response
from triage.services import invitation_create

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08",
    "\u202egnp.exe",
    "Z̷̢̛a̵l̶g̸o̷",
    "😷" * 50,
    "\U0001d7d9\U0001d7da\U0001d7db",  # double-struck digits 1 2 3
    "١٢٣",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    "'; DROP TABLE cases_absencecase; --",
    "x" * 20_000,
    "9" * 400,
    "-1",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "0x1F",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "99999-01-01",
    "31-12-2026",
    "24:61",
    "True",
    "on",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "%00",
    "%s%s%s%n",
]

VALUE = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(
        alphabet=st.characters(exclude_categories=("Cs",)),
        max_size=300,
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.isoformat()),
)

UPLOAD = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(
        ["scan.pdf", "scan.exe", "x" * 300 + ".pdf", "<script>.png", "a\u202egpj.pdf"]
    ),
    st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n", b"MZ\x90\x00", b""]),
    ),
)

FIELD_NAME = re.compile(
    r"<(?:input|select|textarea)\b[^>]*?\bname=\"([^\"]+)\"", re.IGNORECASE
)
FILE_FIELD = re.compile(
    r"<input\b[^>]*?\btype=\"file\"[^>]*?\bname=\"([^\"]+)\"", re.IGNORECASE
)

# Rows a form on these pages could create or change.
WATCHED = [
    AuditEvent,
    AbsenceCase,
    WorkabilityChange,
    ContactNote,
    Intervention,
    Appointment,
    Document,
    Signature,
    Invitation,
    Response,
]


@dataclass
class Target:
    """A page with a form: who opens it, and how to find its address. A form
    that is only part of another page (POST-only address) names its fields."""

    role: str | None
    url: Callable[[object], str]
    fields: tuple[str, ...] = ()


def _task(world) -> Task:
    deadlines_refresh_for_case(case=world.a1_case, today=timezone.localdate())
    return Task.objects.filter(case=world.a1_case, status=TaskStatus.OPEN).first()


def _document(world, kind: str, offered: bool = False) -> Document:
    document = document_create(
        actor=world.user(Role.CASEMANAGER), case=world.a1_case, kind=kind
    )
    if offered:
        document_signatures_request(
            actor=world.user(Role.CASEMANAGER), document=document
        )
    return document


def _questionnaire_page(world) -> str:
    triage = Questionnaire.objects.get(key="triage_ziekmelding")
    invitation = invitation_create(
        actor=world.user(Role.REGIEHOUDER), case=world.a1_case, questionnaire=triage
    )
    return f"/vragenlijst/{invitation_token(invitation)}/werk/"


T = "/t/tenant-a"
TARGETS = {
    "login": Target(None, lambda w: "/accounts/login/"),
    "ziekmelding": Target(Role.LEIDINGGEVENDE, lambda w: f"{T}/ziekmelden/"),
    "hersteldmelding": Target(
        Role.LEIDINGGEVENDE, lambda w: f"{T}/dossiers/{w.team_case.pk}/hersteldmelden/"
    ),
    "contact_note": Target(
        Role.LEIDINGGEVENDE, lambda w: f"{T}/dossiers/{w.team_case.pk}/contactmoment/"
    ),
    "intervention": Target(
        Role.CASEMANAGER, lambda w: f"{T}/dossiers/{w.a1_case.pk}/interventies/nieuw/"
    ),
    "case_assign": Target(
        Role.REGIEHOUDER, lambda w: f"{T}/dossiers/{w.a1_case.pk}/toewijzen/"
    ),
    "task_complete": Target(
        Role.CASEMANAGER, lambda w: f"{T}/taken/{_task(w).pk}/afronden/"
    ),
    "task_snooze": Target(
        Role.CASEMANAGER, lambda w: f"{T}/taken/{_task(w).pk}/uitstellen/"
    ),
    "task_reassign": Target(
        Role.CASEMANAGER, lambda w: f"{T}/taken/{_task(w).pk}/toewijzen/"
    ),
    "probleemanalyse": Target(
        Role.BEDRIJFSARTS, lambda w: f"{T}/dossiers/{w.a3_case.pk}/probleemanalyse/"
    ),
    "fml": Target(Role.BEDRIJFSARTS, lambda w: f"{T}/dossiers/{w.a3_case.pk}/fml/"),
    "consult": Target(
        Role.BEDRIJFSARTS, lambda w: f"{T}/dossiers/{w.a3_case.pk}/consult/"
    ),
    "appointment": Target(
        Role.CASEMANAGER, lambda w: f"{T}/dossiers/{w.a1_case.pk}/afspraken/nieuw/"
    ),
    "invitation_send": Target(
        Role.REGIEHOUDER,
        lambda w: f"{T}/dossiers/{w.a1_case.pk}/vragenlijsten/",
        fields=("questionnaire",),
    ),
    **{
        f"document_{kind}": Target(
            Role.CASEMANAGER,
            lambda w, kind=kind: f"{T}/documenten/{_document(w, kind).pk}/bewerken/",
        )
        for kind in (
            DocumentKind.PLAN_VAN_AANPAK,
            DocumentKind.EVALUATIE,
            DocumentKind.EERSTEJAARSEVALUATIE,
            DocumentKind.EINDEVALUATIE,
            DocumentKind.PROBLEEMANALYSE,
            DocumentKind.UWV_42_WEEK_MELDING,
        )
    },
    "document_sign": Target(
        Role.HR,
        lambda w: (
            f"{T}/documenten/"
            f"{_document(w, DocumentKind.PLAN_VAN_AANPAK, offered=True).pk}"
            "/ondertekenen/"
        ),
    ),
    "document_scan": Target(
        Role.REGIEHOUDER,
        lambda w: (
            f"{T}/documenten/"
            f"{_document(w, DocumentKind.PLAN_VAN_AANPAK, offered=True).pk}/scan/"
        ),
    ),
    "questionnaire_page": Target(None, _questionnaire_page),
}


def _snapshot(world) -> tuple[int, ...]:
    with tenant_scope(world.tenant_a):
        return tuple(model.objects.count() for model in WATCHED)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_hostile_input_in_every_field_never_breaks_a_form(world, name):
    target = TARGETS[name]
    with tenant_scope(world.tenant_a):
        url = target.url(world)
    client = Client(raise_request_exception=False)
    if target.role is not None:
        verified_login(client, world.user(target.role))
    if target.fields:
        names, files = list(target.fields), set()
    else:
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        html = page.content.decode()
        files = set(FILE_FIELD.findall(html))
        names = sorted(set(FIELD_NAME.findall(html)) - {"csrfmiddlewaretoken"} - files)
        assert names or files, f"no form fields found on {url}"

    # The plan van aanpak (about 260 fields) and the FML (130) cost seconds
    # per example; fewer examples keep the file under a minute.
    @settings(
        max_examples=10 if len(names) < 50 else 4,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def post_hostile(data: st.DataObject) -> None:
        body: dict[str, object] = {}
        for field in names:
            choice = data.draw(st.sampled_from(["value", "list", "omit"]))
            if choice == "value":
                body[field] = data.draw(VALUE)
            elif choice == "list":
                body[field] = data.draw(st.lists(VALUE, min_size=2, max_size=3))
        for field in files:
            if data.draw(st.booleans()):
                body[field] = data.draw(UPLOAD)
        before = _snapshot(world)
        response = client.post(url, body)
        assert response.status_code < 500, (name, body, response.status_code)
        if response.status_code not in (301, 302, 303):
            assert _snapshot(world) == before, (name, body)

    post_hostile()
