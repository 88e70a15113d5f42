"""Domain errors shared by every app.

Services raise an ``ApplicationError`` subclass when a domain rule is broken.
Forms turn them into form errors, the API into problem+json responses. The
message is written for the person who entered the data.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A domain rule was broken; ``message`` is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to_form(self, form: Any) -> None:
        """Show this error on ``form``: on its field when the form has one by
        that name, otherwise above the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
