"""An employee's right of access and to data portability (AVG art. 15 and
20): everything Hervat holds about them, as JSON and PDFs in one ZIP.

The medical parts are the employee's too (AVG art. 15; art. 7:456 BW), but
only someone who may read them can hand them out: they are read through
``poortwachter.selectors.medical_record_get`` as ``medical_reader`` (a
bedrijfsarts, or a casemanager in taakdelegatie, of the case), so every read
is in the medical access log, and they go in their own ``medisch/`` folder.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase, Employee
from documents.models import Document, Signature
from poortwachter.models import (
    Appointment,
    Consult,
    Deadline,
    Fml,
    MedicalAccessLog,
    Probleemanalyse,
    Task,
)
from triage.engine import Definition
from triage.models import Invitation, Response, RoutingDecision


def _readme(*, made: dt.date, employee: Employee) -> str:
    lines = [
        _("Hervat: uw gegevens (AVG artikel 15 en 20)"),
        "",
        _("Gemaakt op %(made)s voor werknemer %(id)s van %(employer)s.")
        % {"made": made.isoformat(), "id": employee.pk, "employer": employee.employer},
        "",
        "werknemer.json",
        "    " + _("uw gegevens als werknemer"),
        "dossiers/<nr>/dossier.json",
        "    "
        + _(
            "per verzuimdossier: ziekmelding, hersteldmelding, wijzigingen in "
            "arbeidsongeschiktheid, contactmomenten, interventies, taken, "
            "wettelijke termijnen, afspraken, het oordeel van de bedrijfsarts "
            "voor de werkgever, de FML, vragenlijsten (niet-medische "
            "antwoorden), routering en documenten"
        ),
        "dossiers/<nr>/documenten/",
        "    " + _("de PDF's en ondertekende scans"),
        "inzagelog.json",
        "    " + _("wie uw medische gegevens heeft ingezien, en wanneer"),
        "medisch/",
        "    " + _("uw medische gegevens (zie medisch/LEESMIJ.txt)"),
        "",
        _("Data staan als JJJJ-MM-DD. De veldnamen zijn die van Hervat zelf."),
    ]
    return "\n".join(lines) + "\n"


def _medical_readme(*, reader: User | None, total: int, missing: int) -> str:
    lines = [_("Medische gegevens"), ""]
    if reader is not None and total:
        lines.append(
            _(
                "Deze map bevat de medische gegevens uit uw verzuimdossiers: "
                "aantekeningen van de bedrijfsarts, het medische deel van de "
                "probleemanalyse en uw medische antwoorden op vragenlijsten. Ze "
                "zijn gelezen door %(reader)s; elke inzage staat in het inzagelog."
            )
            % {"reader": _person(reader)}
        )
        if missing:
            lines.append(
                _(
                    "Niet opgenomen: %(n)s onderdelen die %(reader)s niet mag "
                    "inzien; vraag die aan de bedrijfsarts van het dossier."
                )
                % {"n": missing, "reader": _person(reader)}
            )
    elif total:
        lines.append(
            _(
                "Medische gegevens geeft alleen de bedrijfsarts (of een "
                "casemanager in taakdelegatie) af. Deze export is zonder hen "
                "gemaakt en bevat daarom niet de %(n)s medische onderdelen die "
                "Hervat van u heeft. Vraag de bedrijfsarts om een export met "
                "medische gegevens."
            )
            % {"n": total}
        )
    else:
        lines.append(_("Hervat heeft geen medische gegevens van u."))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class EmployeeExport:
    """The ZIP, and what went into it (for the audit trail and the caller)."""

    content: bytes
    cases: int
    files: int
    medical_records: int
    medical_missing: int


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.full_name or user.email


def _value(value: Any) -> Any:
    if isinstance(value, User):
        return _person(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def _fields(obj: models.Model, names: list[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def _json(data: Any) -> bytes:
    return json.dumps(
        data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    ).encode()


def _employee_data(employee: Employee) -> dict[str, Any]:
    data = _fields(
        employee,
        [
            "personnel_number",
            "initials",
            "first_name",
            "surname_prefix",
            "surname",
            "birth_name",
            "date_of_birth",
            "bsn",
            "email",
            "phone",
            "preferred_language",
            "job_title",
            "job_description",
            "department",
            "contract_hours",
            "manager",
            "employment_start",
            "employment_end",
            "vangnet_category",
        ],
    )
    data["employer"] = employee.employer.name
    return data


def _answers(invitation: Invitation, response: Response | None) -> dict[str, Any]:
    from triage.selectors import answers_readable

    answers = response.answers if response is not None else {}
    readable = []
    if answers:
        definition = Definition.parse(invitation.version.definition)
        language = invitation.language or "nl"
        readable = [
            {
                "section": section.title,
                "answers": [
                    {"question": line.question, "answer": line.answer}
                    for line in section.lines
                ],
            }
            for section in answers_readable(
                definition=definition,
                answers=answers,
                language=language,
                medical=False,
            )
        ]
    return {
        "questionnaire": invitation.version.questionnaire.name,
        "version": invitation.version.number,
        "language": invitation.language,
        "status": invitation.status,
        "sent_at": invitation.sent_at,
        "completed_at": invitation.completed_at,
        "answers": readable,
        "answers_raw": answers,
    }


def _case_data(case: AbsenceCase, files: dict[str, bytes]) -> dict[str, Any]:
    folder = f"dossiers/{case.pk}"
    data: dict[str, Any] = {
        "case": {
            "id": case.pk,
            **_fields(
                case,
                [
                    "first_sick_day",
                    "recovery_date",
                    "status",
                    "reported_at",
                    "reported_by",
                    "regiehouder",
                    "casemanager",
                    "bedrijfsarts",
                    "route",
                    "expected_duration",
                    "accident_or_third_party",
                    "work_possible",
                    "agreements",
                    "vangnet_category",
                    "reachable_phone",
                    "reachable_address",
                    "previous_case",
                ],
            ),
        },
        "workability_changes": [
            _fields(c, ["effective_date", "percentage_unfit", "hours_worked"])
            for c in case.workability_changes.order_by("effective_date", "pk")
        ],
        "contact_notes": [
            _fields(n, ["contact_date", "channel", "with_whom", "summary", "author"])
            for n in case.contact_notes.select_related("author").order_by(
                "contact_date", "pk"
            )
        ],
        "interventions": [
            _fields(
                i,
                [
                    "kind",
                    "provider",
                    "requested_on",
                    "start_date",
                    "end_date",
                    "cost",
                    "status",
                    "notes",
                ],
            )
            for i in case.interventions.order_by("requested_on", "pk")
        ],
        "tasks": [
            {
                "title": t.display_title,
                **_fields(t, ["due_date", "status", "completed_at", "note"]),
            }
            for t in Task.objects.filter(case=case)
            .select_related("protocol_step")
            .order_by("due_date", "pk")
        ],
        "deadlines": [
            {"milestone": d.label, **_fields(d, ["due_date", "applies"])}
            for d in Deadline.objects.filter(case=case).order_by("due_date", "pk")
        ],
        "appointments": [
            _fields(
                a,
                [
                    "kind",
                    "date",
                    "start_time",
                    "end_time",
                    "location",
                    "video_url",
                    "status",
                ],
            )
            for a in Appointment.objects.filter(case=case).order_by("date", "pk")
        ],
        "probleemanalyses": [
            _fields(
                p,
                [
                    "kind",
                    "made_on",
                    "bedrijfsarts",
                    "limitations",
                    "prognosis",
                    "advice",
                    "plan_van_aanpak_needed",
                ],
            )
            for p in Probleemanalyse.objects.filter(case=case)
            .select_related("bedrijfsarts")
            .order_by("made_on", "pk")
        ],
        "fml": [
            _fields(f, ["made_on", "bedrijfsarts", "entries", "remarks"])
            for f in Fml.objects.filter(case=case)
            .select_related("bedrijfsarts")
            .order_by("made_on", "pk")
        ],
        "consults": [
            _fields(c, ["held_on", "kind", "bedrijfsarts", "next_consult_on"])
            for c in Consult.objects.filter(case=case)
            .select_related("bedrijfsarts")
            .order_by("held_on", "pk")
        ],
        "questionnaires": [
            _answers(i, getattr(i, "response", None))
            for i in Invitation.objects.filter(case=case)
            .select_related("version__questionnaire", "response")
            .order_by("sent_at", "pk")
        ],
        "routing": [
            {
                **_fields(
                    r,
                    [
                        "proposed_route",
                        "proposed_early_consult",
                        "decided_route",
                        "early_consult",
                        "outcome",
                        "reason",
                        "decided_at",
                    ],
                ),
                "reasons": [
                    reason.get("label") for reason in r.reasons if reason.get("label")
                ],
            }
            for r in RoutingDecision.objects.filter(case=case).order_by("pk")
        ],
        "documents": [],
    }
    scans: dict[str, str] = {}
    for document in Document.objects.filter(case=case).order_by("kind", "version"):
        entry = {
            **_fields(document, ["kind", "version", "status", "signed_at", "data"]),
            "file": None,
            "signatures": [],
        }
        base = f"{folder}/documenten/{document.kind}-v{document.version}"
        if document.pdf and document.pdf.storage.exists(document.pdf.name):
            with document.pdf.open("rb") as pdf:
                files[f"{base}.pdf"] = pdf.read()
            entry["file"] = f"{base}.pdf"
        for signature in Signature.objects.filter(document=document).order_by("pk"):
            sig = {
                **_fields(signature, ["party", "name", "signed_at", "method"]),
                "scan": None,
            }
            stored = signature.scan.name if signature.scan else ""
            if stored in scans:
                # Both parties' signatures on one scan: one file in the ZIP.
                sig["scan"] = scans[stored]
            elif stored and signature.scan.storage.exists(stored):
                extension = stored.rsplit(".", 1)[-1]
                name = f"{base}-scan-{len(scans) + 1}.{extension}"
                with signature.scan.open("rb") as scan:
                    files[name] = scan.read()
                scans[stored] = sig["scan"] = name
            entry["signatures"].append(sig)
        data["documents"].append(entry)
    return data


def _consult_entry(reader: User, pk: int) -> dict[str, Any]:
    from poortwachter.selectors import consult_medical_get

    consult, medical = consult_medical_get(
        actor=reader, consult_id=pk, remote_addr=None
    )
    return {"held_on": consult.held_on, "kind": consult.kind, "notes": medical.notes}


def _probleemanalyse_entry(reader: User, pk: int) -> dict[str, Any]:
    from poortwachter.selectors import probleemanalyse_medical_get

    analysis, medical = probleemanalyse_medical_get(
        actor=reader, probleemanalyse_id=pk, remote_addr=None
    )
    return {
        "made_on": analysis.made_on,
        "anamnesis": medical.anamnesis,
        "assessment": medical.assessment,
        "treatment": medical.treatment,
    }


def _questionnaire_entry(reader: User, pk: int) -> dict[str, Any]:
    from triage.selectors import answers_readable, response_medical_get

    response, answers = response_medical_get(
        actor=reader, response_id=pk, remote_addr=None
    )
    invitation = response.invitation
    definition = Definition.parse(invitation.version.definition)
    return {
        "questionnaire": invitation.version.questionnaire.name,
        "answers": [
            {
                "section": section.title,
                "answers": [
                    {"question": line.question, "answer": line.answer}
                    for line in section.lines
                ],
            }
            for section in answers_readable(
                definition=definition,
                answers=answers,
                language=invitation.language or "nl",
                medical=True,
            )
        ],
        "answers_raw": answers,
    }


def _medical(
    *,
    cases: list[AbsenceCase],
    reader: User,
    files: dict[str, bytes],
) -> tuple[int, int]:
    """Read every medical record of ``cases`` as ``reader`` (each read
    logged, through the selectors' one read path); returns how many were
    read and how many ``reader`` may not."""
    read = missing = 0
    for case in cases:
        sources: list[tuple[str, QuerySet, Callable[[User, int], dict[str, Any]]]] = [
            ("consults", Consult.objects.filter(case=case), _consult_entry),
            (
                "probleemanalyses",
                Probleemanalyse.objects.filter(case=case),
                _probleemanalyse_entry,
            ),
            (
                "questionnaires",
                Response.objects.filter(invitation__case=case),
                _questionnaire_entry,
            ),
        ]
        data: dict[str, list[dict[str, Any]]] = {}
        for key, records, entry in sources:
            data[key] = []
            ids = records.filter(medical__isnull=False).values_list("pk", flat=True)
            for pk in ids:
                try:
                    data[key].append(entry(reader, pk))
                except Http404:
                    missing += 1
                    continue
                read += 1
        if any(data.values()):
            files[f"medisch/dossiers/{case.pk}/medisch.json"] = _json(data)
    return read, missing


def _medical_count(cases: list[AbsenceCase]) -> int:
    return (
        Consult.objects.filter(case__in=cases, medical__isnull=False).count()
        + Probleemanalyse.objects.filter(case__in=cases, medical__isnull=False).count()
        + Response.objects.filter(
            invitation__case__in=cases, medical__isnull=False
        ).count()
    )


def employee_export(
    *,
    actor: User | None,
    employee: Employee,
    medical_reader: User | None = None,
    today: dt.date | None = None,
) -> EmployeeExport:
    """Everything Hervat holds about ``employee`` as a ZIP (see ``README``).

    Medical parts only through ``medical_reader``, read through the logging
    medical selectors (those ``medical_reader`` may not read are counted and
    named as missing in ``medisch/LEESMIJ.txt``). The export is in the audit
    trail. Callers check who may ask for it (the tenant admin site, or the
    ``employee_export`` command run by the operator).
    """
    made = today or timezone.localdate()
    files: dict[str, bytes] = {}
    with transaction.atomic():
        employee = Employee.objects.select_related("employer", "manager").get(
            pk=employee.pk
        )
        cases = list(
            AbsenceCase.objects.filter(employee=employee)
            .select_related("reported_by", "regiehouder", "casemanager", "bedrijfsarts")
            .order_by("first_sick_day", "pk")
        )
        files["werknemer.json"] = _json(_employee_data(employee))
        for case in cases:
            files[f"dossiers/{case.pk}/dossier.json"] = _json(_case_data(case, files))
        files["inzagelog.json"] = _json(
            [
                {
                    "accessed_at": entry.accessed_at,
                    "by": _person(entry.user),
                    "role": entry.role,
                    "record_type": entry.record_type,
                }
                for entry in MedicalAccessLog.objects.filter(employee=employee)
                .select_related("user")
                .order_by("accessed_at", "pk")
            ]
        )
        total_medical = _medical_count(cases)
        read = missing = 0
        if medical_reader is not None and total_medical:
            read, missing = _medical(cases=cases, reader=medical_reader, files=files)
        with translation.override(employee.preferred_language or "nl"):
            files["medisch/LEESMIJ.txt"] = _medical_readme(
                reader=medical_reader, total=total_medical, missing=missing
            ).encode()
            files["LEESMIJ.txt"] = _readme(made=made, employee=employee).encode()
        documents = sum(1 for name in files if "/documenten/" in name)
        audit_event_record(
            actor=actor,
            action="employee_export",
            obj=employee,
            data={
                "cases": len(cases),
                "files": documents,
                "medical_read": read,
                "medical_missing": missing,
                "medical_reader_id": medical_reader.pk if medical_reader else None,
            },
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return EmployeeExport(
        content=out.getvalue(),
        cases=len(cases),
        files=documents,
        medical_records=read,
        medical_missing=missing,
    )
