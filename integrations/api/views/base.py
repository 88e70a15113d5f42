"""What every list operation shares: filters from the query string, checked
like any input, and cursor pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import generics, serializers

from core.problems import problem_response
from integrations.api.pagination import ApiCursorPagination


class FilteredListApi(generics.ListAPIView):
    """A list with typed filters (``Filters``, a serializer of query
    parameters; a wrong value is a 400 problem) and cursor pagination.
    Subclasses give ``Filters``, ``serializer_class`` and ``filtered``."""

    pagination_class = ApiCursorPagination

    class Filters(serializers.Serializer):
        pass

    def filtered(self, filters: dict[str, Any]) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        known = {*self.Filters().fields, "cursor", "page_size"}
        unknown = sorted(set(self.request.query_params) - known)
        if unknown:
            # A misspelt filter must not quietly return everything.
            raise serializers.ValidationError(
                {name: [_("Onbekende parameter.")] for name in unknown}
            )
        # A plain dict, not the QueryDict: DRF reads an empty value in form
        # data as "not given", and "?status=" must be refused, not ignored.
        params = self.Filters(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return self.filtered(params.validated_data)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """No such operation: the API's own 404."""
    return problem_response("not-found", 404, _("Niet gevonden."))
