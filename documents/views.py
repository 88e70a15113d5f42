"""Portal pages for documents (/t/<slug>/…): thin — a selector or a service,
the access policy for permission, then a template. Forbidden looks like not
found (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Action, can
from cases.selectors import case_get
from core.exceptions import ApplicationError
from documents import selectors, services
from documents.forms import AfsprakenFormSet, ScanForm, SignForm
from documents.models import (
    Document,
    DocumentKind,
    DocumentStatus,
    Party,
    document_storage,
)
from documents.registry import document_type
from documents.reintegratieverslag import reintegratieverslag_findings


def _detail(document: Document, tenant_slug: str) -> HttpResponse:
    return redirect(
        "documents:document_detail", tenant_slug=tenant_slug, pk=document.pk
    )


def case_documents(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """All documents of a case, every version, and new drafts to start."""
    case = case_get(actor=request.user, case_id=pk)
    documents = selectors.documents_for_case(actor=request.user, case=case)
    return render(
        request,
        "documents/portal/case_documents.html",
        {
            "case": case,
            "case_documents": documents,
            "kinds": DocumentKind.choices,
            "can_edit": can(request.user, Action.DOCUMENT_EDIT, case),
            "can_riv": can(request.user, Action.REINTEGRATIEVERSLAG, case),
        },
    )


@require_POST
def document_create(
    request: HttpRequest, tenant_slug: str, pk: int, kind: str
) -> HttpResponse:
    case = case_get(actor=request.user, case_id=pk)
    if kind not in DocumentKind.values or not can(
        request.user, Action.DOCUMENT_EDIT, case
    ):
        raise Http404
    try:
        document = services.document_create(actor=request.user, case=case, kind=kind)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("documents:case_documents", tenant_slug=tenant_slug, pk=pk)
    return redirect("documents:document_edit", tenant_slug=tenant_slug, pk=document.pk)


def document_detail(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, document_id=pk)
    versions = selectors.documents_for_case(
        actor=request.user, case=document.case
    ).filter(kind=document.kind)
    return render(
        request,
        "documents/portal/document_detail.html",
        {
            "document": document,
            "case": document.case,
            "versions": versions,
            "signatures": document.signatures.all(),
            "can_edit": can(request.user, Action.DOCUMENT_EDIT, document),
            "can_attach_scan": document.status == DocumentStatus.TER_ONDERTEKENING
            and can(request.user, Action.DOCUMENT_SIGN_WERKGEVER, document),
            "sign_parties": services.signable_parties(
                actor=request.user, document=document
            ),
            "is_latest": not versions.filter(version__gt=document.version).exists(),
        },
    )


def document_edit(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """The form of a concept, section by section, with its agreement rows."""
    document = selectors.document_get(actor=request.user, document_id=pk)
    if not can(request.user, Action.DOCUMENT_EDIT, document):
        raise Http404
    if document.status != DocumentStatus.CONCEPT:
        messages.error(
            request,
            _("Dit document is niet meer te wijzigen; maak een nieuwe versie."),
        )
        return _detail(document, tenant_slug)
    kind = document_type(document.kind)
    post = request.POST if request.method == "POST" else None
    form = kind.form_class(post, document_data=document.data)
    formset = (
        AfsprakenFormSet(
            post, prefix="afspraken", initial=document.data.get("afspraken", [])
        )
        if kind.has_afspraken
        else None
    )
    if post is not None:
        valid = form.is_valid() & (formset is None or formset.is_valid())
        if valid:
            data: dict[str, Any] = form.to_data()
            if formset is not None:
                data["afspraken"] = formset.rows()
            try:
                services.document_update(
                    actor=request.user, document=document, data=data
                )
            except ApplicationError as error:
                error.add_to_form(form)
            else:
                messages.success(request, _("Het concept is opgeslagen."))
                if "submit" in request.POST:
                    return redirect(
                        "documents:document_detail", tenant_slug=tenant_slug, pk=pk
                    )
                return redirect(
                    "documents:document_edit", tenant_slug=tenant_slug, pk=pk
                )
    return render(
        request,
        "documents/portal/document_edit.html",
        {
            "document": document,
            "case": document.case,
            "form": form,
            "formset": formset,
            "template_name": _form_template(document.kind),
        },
    )


def _form_template(kind: str) -> str:
    layout = "plain"
    if kind == DocumentKind.PLAN_VAN_AANPAK:
        layout = "plan_van_aanpak"
    elif kind in (
        DocumentKind.EVALUATIE,
        DocumentKind.EERSTEJAARSEVALUATIE,
        DocumentKind.EINDEVALUATIE,
    ):
        layout = "evaluatie"
    return f"documents/portal/_form_{layout}.html"


@require_POST
def document_submit(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, document_id=pk)
    if not can(request.user, Action.DOCUMENT_EDIT, document):
        raise Http404
    try:
        services.document_signatures_request(actor=request.user, document=document)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Het document is vastgesteld.")
            if document.is_signed
            else _("Het document ligt ter ondertekening."),
        )
    return _detail(document, tenant_slug)


@require_POST
def document_new_version(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    document = selectors.document_get(actor=request.user, document_id=pk)
    if not can(request.user, Action.DOCUMENT_EDIT, document):
        raise Http404
    try:
        new = services.document_new_version(actor=request.user, document=document)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(document, tenant_slug)
    messages.success(
        request, _("Versie %(version)d is aangemaakt.") % {"version": new.version}
    )
    return redirect("documents:document_edit", tenant_slug=tenant_slug, pk=new.pk)


def document_sign(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Sign in Hervat: the employer side or the employee, name and time recorded."""
    document = selectors.document_get(actor=request.user, document_id=pk)
    parties = services.signable_parties(actor=request.user, document=document)
    if not parties:
        if can(request.user, Action.DOCUMENT_SIGN_WERKGEVER, document) or can(
            request.user, Action.DOCUMENT_SIGN_WERKNEMER, document
        ):
            messages.info(
                request,
                _("Dit document is al ondertekend of nog niet aangeboden.")
                if document.status != DocumentStatus.TER_ONDERTEKENING
                else _("Voor uw kant is dit document al ondertekend."),
            )
            return _detail(document, tenant_slug)
        raise Http404
    party = parties[0]
    form = SignForm(
        request.POST or None, initial={"name": request.user.get_full_name()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_sign(
                actor=request.user,
                document=document,
                party=party,
                name=form.cleaned_data["name"],
            )
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("U heeft het document ondertekend."))
            return _detail(document, tenant_slug)
    return render(
        request,
        "documents/portal/document_sign.html",
        {
            "document": document,
            "case": document.case,
            "form": form,
            "party_label": Party(party).label,
        },
    )


def document_scan(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Attach a scan of the paper version signed by both parties."""
    document = selectors.document_get(actor=request.user, document_id=pk)
    if not can(request.user, Action.DOCUMENT_SIGN_WERKGEVER, document):
        raise Http404
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_scan_attach(
                actor=request.user,
                document=document,
                scan=data["scan"],
                werkgever_name=data["werkgever_name"],
                werknemer_name=data["werknemer_name"],
                signed_on=data["signed_on"],
            )
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("De ondertekende scan is toegevoegd."))
            return _detail(document, tenant_slug)
    return render(
        request,
        "documents/portal/document_scan.html",
        {"document": document, "case": document.case, "form": form},
    )


def signature_scan_download(
    request: HttpRequest, tenant_slug: str, pk: int, signature_pk: int
) -> HttpResponse:
    """The signed scan attached to a document, for whoever may see it."""
    document = selectors.document_get(actor=request.user, document_id=pk)
    signature = document.signatures.filter(pk=signature_pk).exclude(scan="").first()
    if signature is None:
        raise Http404
    extension = signature.scan.name.rsplit(".", 1)[-1]
    return FileResponse(
        signature.scan.open("rb"),
        as_attachment=True,
        filename=f"{document.kind}-v{document.version}-scan.{extension}",
    )


def document_download(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Serve the stored PDF when it is current; otherwise have the documents
    queue render it and show a page that checks back."""
    document = selectors.document_get(actor=request.user, document_id=pk)
    if services.document_pdf_is_current(document=document):
        filename = (
            f"{document.kind}-{selectors.case_reference(case=document.case)}"
            f"-v{document.version}.pdf"
        )
        return FileResponse(
            document.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=filename,
        )
    services.document_render_request(document=document)
    return render(
        request,
        "documents/portal/document_pending.html",
        {"document": document, "case": document.case},
        status=202,
    )


def reintegratieverslag(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """The completeness check of the re-integratieverslag, and its download."""
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.REINTEGRATIEVERSLAG, case):
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "documents/portal/reintegratieverslag.html",
        {
            "case": case,
            "findings": reintegratieverslag_findings(case=case, today=today),
        },
    )


def reintegratieverslag_download(
    request: HttpRequest, tenant_slug: str, pk: int
) -> HttpResponse:
    """The stored RIV when the case has not changed since it was built;
    otherwise the documents queue builds it (signed parts from storage, cover,
    contents and overview fresh) and a page checks back."""
    case = case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.REINTEGRATIEVERSLAG, case):
        raise Http404
    name = services.reintegratieverslag_render_request(
        case=case, today=timezone.localdate()
    )
    if name is None:
        return render(
            request,
            "documents/portal/reintegratieverslag_pending.html",
            {"case": case},
            status=202,
        )
    filename = f"reintegratieverslag-{selectors.case_reference(case=case)}.pdf"
    return FileResponse(
        document_storage().open(name, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=filename,
    )
