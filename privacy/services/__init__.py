"""Writes of the privacy app: the retention run."""

from privacy.services.retention import (
    RetentionReport,
    employee_pseudonymise,
    retention_policy_install_default,
    retention_run,
)

__all__ = [
    "RetentionReport",
    "employee_pseudonymise",
    "retention_policy_install_default",
    "retention_run",
]
