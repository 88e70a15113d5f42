"""Writes on documents: drafts, signatures, versions and stored PDFs.

Every service checks the access policy itself (a view may forget; a task or
command never has a request), raises ``ApplicationError`` with a message for
the person at the keyboard, and writes atomically with an audit event. A
signed document is never changed again: a change makes a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.audit import audit_changes, audit_mapping_changes, audit_snapshot
from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase
from core.enqueue import enqueue_on_commit
from core.exceptions import ApplicationError
from documents.build import document_pdf_bytes
from documents.models import (
    Document,
    DocumentKind,
    DocumentStatus,
    Party,
    Signature,
    SignatureMethod,
)
from documents.registry import document_type
from documents.selectors import (
    document_content_key,
    document_prefill,
    signatures_of,
)
from documents.signals import document_signatures_requested, document_signed

SCAN_MAX_BYTES = 10 * 1024 * 1024
# What a signed scan may be, recognised by its first bytes (not its name).
SCAN_SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


class DocumentSignedError(ApplicationError):
    """A signed document cannot change; make a new version."""


def _require(actor: User, action: Action, obj: Any, message: str) -> None:
    if not can(actor, action, obj):
        raise ApplicationError(message)


def document_create(
    *, actor: User, case: AbsenceCase, kind: str, language: str | None = None
) -> Document:
    """A new concept of ``kind`` for ``case``, filled in with what Hervat knows.

    Only one concept per kind at a time: an open concept is edited, not
    duplicated. The version follows the highest existing one.
    """
    if kind not in DocumentKind.values:
        raise ApplicationError(_("Onbekende soort document."), field="kind")
    _require(
        actor,
        Action.DOCUMENT_EDIT,
        case,
        _("Alleen de regiehouder of casemanager stelt dit document op."),
    )
    kind_type = document_type(kind)
    with transaction.atomic():
        AbsenceCase.objects.select_for_update().filter(pk=case.pk).first()
        existing = Document.objects.filter(case=case, kind=kind)
        if existing.filter(status=DocumentStatus.CONCEPT).exists():
            raise ApplicationError(
                _("Er is al een concept van dit document; werk dat bij."),
                field="kind",
            )
        version = (existing.aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            document = Document.objects.create(
                tenant_id=case.tenant_id,
                case=case,
                kind=kind,
                version=version,
                language=language or case.employee.preferred_language,
                data=document_prefill(case=case, kind=kind),
                template_version=kind_type.template_version,
                created_by=actor,
            )
        except IntegrityError as exc:
            raise ApplicationError(
                _("Dit document is zojuist al aangemaakt; vernieuw de pagina.")
            ) from exc
        audit_event_record(
            actor=actor,
            action="document_create",
            obj=document,
            data={"case_id": case.pk, "kind": kind, "version": version},
            changes=audit_changes(document, None, DOCUMENT_AUDIT_FIELDS)
            | audit_mapping_changes({}, document.data, prefix="data"),
        )
    return document


def _locked(document: Document) -> Document:
    return (
        Document.objects.select_for_update()
        .select_related("case", "case__employee")
        .get(pk=document.pk)
    )


def document_update(
    *, actor: User, document: Document, data: dict[str, Any]
) -> Document:
    """Change the content of a concept; a document under signature or signed
    is never changed (make a new version instead)."""
    _require(
        actor,
        Action.DOCUMENT_EDIT,
        document,
        _("Alleen de regiehouder of casemanager wijzigt dit document."),
    )
    kind = document_type(document.kind)
    allowed = set(kind.form_class.base_fields) | (
        {"afspraken"} if kind.has_afspraken else set()
    )
    unknown = sorted(set(data) - allowed)
    if unknown:
        # Facts such as the masked BSN are not editable through this door.
        raise ApplicationError(
            _("Deze gegevens horen niet bij dit formulier: %(fields)s.")
            % {"fields": ", ".join(unknown)}
        )
    with transaction.atomic():
        locked = _locked(document)
        if locked.status != DocumentStatus.CONCEPT:
            raise DocumentSignedError(
                _(
                    "Dit document is ter ondertekening aangeboden of ondertekend "
                    "en kan niet meer veranderen; maak een nieuwe versie."
                )
            )
        changed = sorted(k for k, v in data.items() if locked.data.get(k) != v)
        before = dict(locked.data)
        locked.data = {**locked.data, **data}
        locked.save(update_fields=["data", "updated_at"])
        # Field names and digests only: the content stays out of the trail.
        audit_event_record(
            actor=actor,
            action="document_update",
            obj=locked,
            data={"fields": changed},
            changes=audit_mapping_changes(before, locked.data, prefix="data"),
        )
    document.refresh_from_db()
    return document


DOCUMENT_AUDIT_FIELDS = ("kind", "version", "status", "language", "template_version")
# What signing changes on a document.
_DOCUMENT_STATE = ("status", "signed_at", "sha256")


def _signature_changes(signature: Signature) -> dict:
    return {
        f"signature.{name}": change
        for name, change in audit_changes(
            signature, None, ("party", "name", "method", "signed_at", "user")
        ).items()
    }


def _finalize(*, document: Document, now: dt.datetime) -> None:
    """Render the signed PDF once, store it and its sha256; from here on the
    document never changes."""
    document.status = DocumentStatus.ONDERTEKEND
    document.signed_at = now
    signatures = signatures_of(document=document)
    pdf = document_pdf_bytes(document=document, signatures=signatures)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.pdf_content_key = document_content_key(
        document=document, signatures=signatures
    )
    document.pdf.save(f"{document.sha256[:12]}.pdf", ContentFile(pdf), save=False)
    document.save(
        update_fields=["status", "signed_at", "sha256", "pdf", "pdf_content_key"]
    )
    document_signed.send(sender=Document, document=document)


def document_signatures_request(*, actor: User, document: Document) -> Document:
    """Offer a concept for signature; its content is fixed from now on.

    A kind that nobody signs (the probleemanalyse summary) is final at once.
    """
    _require(
        actor,
        Action.DOCUMENT_EDIT,
        document,
        _("Alleen de regiehouder of casemanager biedt dit document aan."),
    )
    with transaction.atomic():
        locked = _locked(document)
        if locked.status != DocumentStatus.CONCEPT:
            raise ApplicationError(_("Dit document is al aangeboden of ondertekend."))
        before = audit_snapshot(locked, _DOCUMENT_STATE)
        if not str(locked.data.get("werknemer_naam", "")).strip():
            raise ApplicationError(
                _("Vul eerst de naam van de werknemer in (vraag 1.1).")
            )
        locked.status = DocumentStatus.TER_ONDERTEKENING
        locked.save(update_fields=["status", "updated_at"])
        if document_type(locked.kind).parties:
            document_signatures_requested.send(sender=Document, document=locked)
        else:
            _finalize(document=locked, now=timezone.now())
        audit_event_record(
            actor=actor,
            action="document_signatures_request",
            obj=locked,
            data={"status": locked.status},
            changes=audit_changes(locked, before),
        )
    document.refresh_from_db()
    return document


def _party_action(party: str) -> Action:
    if party == Party.WERKGEVER:
        return Action.DOCUMENT_SIGN_WERKGEVER
    if party == Party.WERKNEMER:
        return Action.DOCUMENT_SIGN_WERKNEMER
    raise ApplicationError(_("Kies namens wie u ondertekent."), field="party")


def signable_parties(*, actor: User, document: Document) -> list[str]:
    """The parties ``actor`` may sign for on ``document`` right now."""
    if document.status != DocumentStatus.TER_ONDERTEKENING:
        return []
    signed = set(document.signatures.values_list("party", flat=True))
    return [
        party
        for party in document_type(document.kind).parties
        if party not in signed and can(actor, _party_action(party), document)
    ]


def _all_signed(document: Document) -> bool:
    signed = set(
        Signature.objects.filter(document=document).values_list("party", flat=True)
    )
    return set(document_type(document.kind).parties) <= signed


def document_sign(
    *,
    actor: User,
    document: Document,
    party: str,
    name: str,
    now: dt.datetime | None = None,
) -> Signature:
    """Sign ``document`` in Hervat for ``party`` under ``name``.

    The employer side signs as HR, regiehouder or casemanager of the case's
    employer; the employee only with their own account. When the last party
    has signed, the PDF is rendered once and its sha256 stored.
    """
    now = now or timezone.now()
    name = name.strip()
    action = _party_action(party)
    if party not in document_type(document.kind).parties:
        raise ApplicationError(
            _("Dit document wordt niet door deze partij ondertekend."), field="party"
        )
    _require(
        actor,
        action,
        document,
        _("U mag dit document niet namens deze partij ondertekenen."),
    )
    if not name:
        raise ApplicationError(_("Vul uw naam in."), field="name")
    if len(name) > 200:
        raise ApplicationError(_("De naam is te lang."), field="name")
    with transaction.atomic():
        locked = _locked(document)
        if locked.status == DocumentStatus.ONDERTEKEND:
            raise DocumentSignedError(_("Dit document is al ondertekend."))
        if locked.status != DocumentStatus.TER_ONDERTEKENING:
            raise ApplicationError(
                _("Dit document is nog een concept en nog niet aangeboden.")
            )
        if Signature.objects.filter(document=locked, party=party).exists():
            raise ApplicationError(
                _("Voor deze partij is al ondertekend."), field="party"
            )
        before = audit_snapshot(locked, _DOCUMENT_STATE)
        signature = Signature.objects.create(
            tenant_id=locked.tenant_id,
            document=locked,
            party=party,
            name=name,
            signed_at=now,
            method=SignatureMethod.IN_APP,
            user=actor,
        )
        if _all_signed(locked):
            _finalize(document=locked, now=now)
        audit_event_record(
            actor=actor,
            action="document_sign",
            obj=locked,
            data={"party": party, "method": SignatureMethod.IN_APP},
            changes=audit_changes(locked, before) | _signature_changes(signature),
        )
    document.refresh_from_db()
    return signature


def _scan_kind(scan: UploadedFile) -> tuple[str, str]:
    if scan.size is None or scan.size > SCAN_MAX_BYTES:
        raise ApplicationError(
            _("De scan is te groot (hoogstens 10 MB)."), field="scan"
        )
    head = scan.read(16)
    scan.seek(0)
    for magic, kind in SCAN_SIGNATURES.items():
        if head.startswith(magic):
            return kind
    raise ApplicationError(_("Upload de scan als PDF, PNG of JPEG."), field="scan")


def document_scan_attach(
    *,
    actor: User,
    document: Document,
    scan: UploadedFile,
    werkgever_name: str,
    werknemer_name: str,
    signed_on: dt.date,
    today: dt.date | None = None,
) -> Document:
    """Attach a scan of the paper version signed by the parties that have not
    signed in Hervat; the document is then signed."""
    today = today or timezone.localdate()
    _require(
        actor,
        Action.DOCUMENT_SIGN_WERKGEVER,
        document,
        _("Alleen HR, regiehouder of casemanager voegt een ondertekende scan toe."),
    )
    if signed_on > today:
        raise ApplicationError(
            _("De datum van ondertekening ligt in de toekomst."), field="signed_on"
        )
    if signed_on < document.created_at.date():
        raise ApplicationError(
            _("De datum van ondertekening ligt vóór het opstellen van het document."),
            field="signed_on",
        )
    _content_type, extension = _scan_kind(scan)
    names = {
        Party.WERKGEVER: werkgever_name.strip(),
        Party.WERKNEMER: werknemer_name.strip(),
    }
    with transaction.atomic():
        locked = _locked(document)
        if locked.status != DocumentStatus.TER_ONDERTEKENING:
            raise ApplicationError(
                _("Alleen een document dat ter ondertekening ligt krijgt een scan.")
            )
        signed = set(
            Signature.objects.filter(document=locked).values_list("party", flat=True)
        )
        missing = [p for p in document_type(locked.kind).parties if p not in signed]
        for party in missing:
            if not names.get(party):
                field = f"{party}_name"
                raise ApplicationError(
                    _("Vul de naam in van wie namens de %(party)s tekende.")
                    % {"party": Party(party).label.lower()},
                    field=field,
                )
        content = scan.read()
        digest = hashlib.sha256(content).hexdigest()
        signed_at = timezone.make_aware(dt.datetime.combine(signed_on, dt.time(12, 0)))
        stored_name = ""
        for party in missing:
            signature = Signature(
                tenant_id=locked.tenant_id,
                document=locked,
                party=party,
                name=names[party],
                signed_at=signed_at,
                method=SignatureMethod.SCAN,
                scan_sha256=digest,
                user=actor,
            )
            if stored_name:
                signature.scan.name = stored_name
            else:
                signature.scan.save(
                    f"{digest[:12]}.{extension}", ContentFile(content), save=False
                )
                stored_name = signature.scan.name
            signature.save()
        before = audit_snapshot(locked, _DOCUMENT_STATE)
        _finalize(document=locked, now=timezone.now())
        audit_event_record(
            actor=actor,
            action="document_scan_attach",
            obj=locked,
            data={"parties": missing, "scan_sha256": digest},
            changes=audit_changes(locked, before),
        )
    document.refresh_from_db()
    return document


def document_new_version(*, actor: User, document: Document) -> Document:
    """A new concept copying the content of ``document`` (the latest version);
    the older versions stay as they are."""
    _require(
        actor,
        Action.DOCUMENT_EDIT,
        document,
        _("Alleen de regiehouder of casemanager maakt een nieuwe versie."),
    )
    with transaction.atomic():
        AbsenceCase.objects.select_for_update().filter(pk=document.case_id).first()
        versions = Document.objects.filter(case_id=document.case_id, kind=document.kind)
        if versions.filter(status=DocumentStatus.CONCEPT).exists():
            raise ApplicationError(
                _("Er is al een concept van dit document; werk dat bij.")
            )
        latest = versions.order_by("-version").first()
        if latest is None or latest.pk != document.pk:
            raise ApplicationError(
                _("Maak een nieuwe versie vanuit de laatste versie.")
            )
        new = Document.objects.create(
            tenant_id=document.tenant_id,
            case_id=document.case_id,
            kind=document.kind,
            version=document.version + 1,
            language=document.language,
            data=dict(document.data),
            template_version=document_type(document.kind).template_version,
            created_by=actor,
        )
        audit_event_record(
            actor=actor,
            action="document_new_version",
            obj=new,
            data={"from_version": document.version, "version": new.version},
            changes=audit_changes(new, None, DOCUMENT_AUDIT_FIELDS),
        )
    return new


def document_pdf_is_current(*, document: Document) -> bool:
    """Whether the stored PDF still shows the document as it stands."""
    if not document.pdf:
        return False
    if document.is_signed:
        return True
    return document.pdf_content_key == document_content_key(
        document=document, signatures=signatures_of(document=document)
    )


def document_render(*, document: Document) -> Document:
    """Store a PDF of the document as it stands, unless the stored one is
    still current. A signed document's PDF is never rendered again."""
    with transaction.atomic():
        locked = _locked(document)
        if document_pdf_is_current(document=locked):
            return locked
        signatures = signatures_of(document=locked)
        pdf = document_pdf_bytes(document=locked, signatures=signatures)
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.pdf_content_key = document_content_key(
            document=locked, signatures=signatures
        )
        old_name = locked.pdf.name if locked.pdf else ""
        locked.pdf.save(f"{locked.sha256[:12]}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["pdf", "sha256", "pdf_content_key"])
    if old_name and old_name != locked.pdf.name:
        # A superseded concept rendering; signed PDFs never reach this line.
        transaction.on_commit(lambda: locked.pdf.storage.delete(old_name))
    return locked


def document_render_request(*, document: Document) -> bool:
    """Ask the ``documents`` queue to render the PDF after commit; False when
    the stored PDF is current and nothing needs doing."""
    from documents.tasks import document_render_task

    if document_pdf_is_current(document=document):
        return False
    enqueue_on_commit(document_render_task, document.pk, document.tenant_id)
    return True


def reintegratieverslag_store(*, case: AbsenceCase, today: dt.date) -> str:
    """Assemble the re-integratieverslag and store it under its content name;
    a no-op when that file exists. Returns the storage name."""
    from documents.models import document_storage
    from documents.reintegratieverslag import (
        reintegratieverslag_assemble,
        reintegratieverslag_storage_name,
    )

    storage = document_storage()
    name = reintegratieverslag_storage_name(case=case, today=today)
    if storage.exists(name):
        return name
    riv = reintegratieverslag_assemble(case=case, today=today)
    stored = storage.save(name, ContentFile(riv.pdf))
    with transaction.atomic():
        audit_event_record(
            actor=None,
            action="reintegratieverslag_store",
            obj=case,
            data={"pages": riv.toc[-1].page, "findings": len(riv.findings)},
        )
    return stored


def reintegratieverslag_render_request(
    *, case: AbsenceCase, today: dt.date
) -> str | None:
    """The stored RIV's name when it is current; otherwise ask the documents
    queue to build it (after commit) and return None."""
    from documents.models import document_storage
    from documents.reintegratieverslag import reintegratieverslag_storage_name
    from documents.tasks import reintegratieverslag_render_task

    name = reintegratieverslag_storage_name(case=case, today=today)
    if document_storage().exists(name):
        return name
    enqueue_on_commit(
        reintegratieverslag_render_task, case.pk, case.tenant_id, today.isoformat()
    )
    return None
