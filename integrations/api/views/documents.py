"""Documents of the cases the caller sees: list and PDF download."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import services
from documents.models import DocumentKind, DocumentStatus
from documents.selectors import case_reference, document_get, document_list
from integrations.api.serializers import DocumentOut
from integrations.api.views.base import FilteredListApi


class DocumentListApi(FilteredListApi):
    serializer_class = DocumentOut

    class Filters(serializers.Serializer):
        case = serializers.IntegerField(required=False, min_value=1)
        kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
        status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)

    @extend_schema(operation_id="documents_list", parameters=[Filters])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def filtered(self, filters: dict[str, Any]) -> QuerySet:
        qs = document_list(actor=self.request.user)
        for name in ("case", "kind", "status"):
            if name in filters:
                qs = qs.filter(**{name: filters[name]})
        return qs


class DocumentRendering(serializers.Serializer):
    status = serializers.CharField()
    detail = serializers.CharField()


class DocumentDownloadApi(APIView):
    """The PDF. When the stored PDF is not current it is rendered on the
    documents queue: the answer is 202 with Retry-After; ask again."""

    @extend_schema(
        operation_id="documents_download",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            202: DocumentRendering,
        },
    )
    def get(self, request: Request, pk: int) -> Any:
        document = document_get(actor=request.user, document_id=pk)
        if services.document_pdf_is_current(document=document):
            return FileResponse(
                document.pdf.open("rb"),
                content_type="application/pdf",
                as_attachment=True,
                filename=(
                    f"{document.kind}-{case_reference(case=document.case)}"
                    f"-v{document.version}.pdf"
                ),
            )
        services.document_render_request(document=document)
        return Response(
            {
                "status": "rendering",
                "detail": _(
                    "De PDF wordt gemaakt; vraag hem over enkele seconden opnieuw op."
                ),
            },
            status=status.HTTP_202_ACCEPTED,
            headers={"Retry-After": "5"},
        )
