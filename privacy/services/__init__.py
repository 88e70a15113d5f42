"""Writes of the privacy app: the retention run, erasure and export."""

from privacy.services.erasure import employee_erase
from privacy.services.export import EmployeeExport, employee_export
from privacy.services.retention import (
    RetentionReport,
    employees_pseudonymise,
    retention_policy_install_default,
    retention_run,
)

__all__ = [
    "EmployeeExport",
    "RetentionReport",
    "employee_erase",
    "employee_export",
    "employees_pseudonymise",
    "retention_policy_install_default",
    "retention_run",
]
