"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; Python code sees plain text.

    The column cannot be filtered or indexed on its content: look rows up by
    another key. Empty values are stored as an empty string, not encrypted.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)
