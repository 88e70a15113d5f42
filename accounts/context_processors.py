from django.http import HttpRequest


def tenant(request: HttpRequest) -> dict[str, object]:
    """Expose the request's tenant and membership to every template."""
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": getattr(request, "membership", None),
    }
