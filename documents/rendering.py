"""Django template -> WeasyPrint -> PDF bytes, sandboxed.

WeasyPrint's documentation warns that rendering untrusted HTML "can lead to
security problems": a URL in the document is fetched by the renderer. Here
the only URLs that resolve are our own static files under the
``hervat-static:/`` prefix (the bundled fonts); every other URL (network,
``file://``, ``data:``) is refused before anything is opened. User text
reaches the templates only through Django's autoescaping, so a user field
can never become a tag in the first place.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint reports every rendering step (and its stylesheet set-up at
# import) at INFO; that is noise in worker and test output.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import (  # noqa: E402
    URLFetcher,
    URLFetcherResponse,
    URLFetchingError,
)

logger = logging.getLogger(__name__)

STATIC_PREFIX = "hervat-static:/"
# PDF/A-3b (ISO 19005-3) for archiving: WeasyPrint 70 writes the metadata,
# output intent and embedded fonts it requires.
PDF_VARIANT = "pdf/a-3b"


class StaticOnlyFetcher(URLFetcher):
    """Serves ``hervat-static:/<path>`` from the project's static files and
    refuses everything else without opening it."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=())
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(STATIC_PREFIX):
            relative = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
            try:
                found = finders.find(relative) if relative else None
            except SuspiciousFileOperation:
                found = None
            if found:
                path = Path(str(found))
                self.served.append(relative)
                media_type = mimetypes.guess_type(path.name)[0]
                return URLFetcherResponse(
                    url,
                    path.read_bytes(),
                    {"Content-Type": media_type or "application/octet-stream"},
                )
        self.refused.append(url)
        logger.warning("PDF rendering refused a URL", extra={"url": url[:200]})
        raise URLFetchingError(f"Refused by the document sandbox: {url[:200]}")


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """PDF/A bytes of ``html``, fetching only through the sandboxed fetcher."""
    document = HTML(
        string=html,
        base_url=STATIC_PREFIX,
        url_fetcher=fetcher or StaticOnlyFetcher(),
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_html(*, template_name: str, context: object) -> str:
    """The document's HTML: always in Dutch (UWV forms are Dutch), with the
    context dataclass as ``doc``."""
    with translation.override("nl"):
        return render_to_string(
            template_name, {"doc": context, "static_prefix": STATIC_PREFIX}
        )


def render_pdf(
    *, template_name: str, context: object, fetcher: StaticOnlyFetcher | None = None
) -> bytes:
    """Render ``template_name`` with the plain ``context`` to PDF bytes."""
    return html_to_pdf(
        render_html(template_name=template_name, context=context), fetcher=fetcher
    )
