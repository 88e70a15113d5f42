"""Domain errors of the cases app."""

from __future__ import annotations

from core.exceptions import ApplicationError


class CaseAlreadyOpenError(ApplicationError):
    """A ziekmelding for an employee who already has an open case.

    The API answers it with 409 and its own problem type, so a system that
    reports the same sickness twice can tell it apart from bad input.
    """

    problem = "case-already-open"
    status_code = 409
