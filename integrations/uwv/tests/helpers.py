"""Reading exports back as a person or a program would."""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker

from documents.tests.helpers import flat, pdf_pages

SCHEMAS = Path(settings.BASE_DIR) / "integrations" / "uwv" / "schema"


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_errors(name: str, data: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(data)
    ]


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def page_texts(pdf: bytes) -> list[str]:
    return [flat(text) for text in pdf_pages(pdf)]


def all_text(files: dict[str, bytes]) -> str:
    """Every word a reader of the package could see: PDF text, manifest,
    inhoud, and the file names."""
    parts = list(files)
    for name, content in files.items():
        if name.endswith(".pdf"):
            parts.extend(page_texts(content))
        else:
            parts.append(content.decode())
    return "\n".join(parts)
