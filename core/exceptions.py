"""Domain errors shared by every app.

Services raise an ``ApplicationError`` subclass when a domain rule is broken.
Forms turn them into form errors, the API into problem+json responses. The
message is written for the person who entered the data.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A domain rule was broken; ``message`` is safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
