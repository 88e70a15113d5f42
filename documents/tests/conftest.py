"""Documents tests store their PDFs and scans in a per-test directory."""

import pytest


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dossier(scope_a):
    """Tenant A's own_case (the werknemer persona's own case) with the facts
    a plan van aanpak is prefilled from, and a probleemanalyse whose medical
    part holds ``MEDICAL_SECRET``. Runs inside tenant A's scope."""
    from decimal import Decimal

    from accounts.models import Role
    from documents.tests.factories import (
        ProbleemanalyseFactory,
        ProbleemanalyseMedicalFactory,
    )

    w = scope_a
    employee = w.own_employee
    employee.initials = "J.P."
    employee.surname_prefix = "de"
    employee.surname = "Vries"
    employee.birth_name = "Bakker"
    employee.job_title = "Timmerman"
    employee.job_description = "Maken en plaatsen van kozijnen op de bouwplaats."
    employee.contract_hours = Decimal("38.0")
    employee.bsn = "111222333"
    employee.save()
    employer = employee.employer
    employer.contact_name = "P. Pieterse"
    employer.contact_phone = "010-1234567"
    employer.save()
    case = w.own_case
    case.bedrijfsarts = w.user(Role.BEDRIJFSARTS)
    case.casemanager = w.user(Role.CASEMANAGER)
    case.save()
    analysis = ProbleemanalyseFactory(case=case, bedrijfsarts=case.bedrijfsarts)
    ProbleemanalyseMedicalFactory(probleemanalyse=analysis)
    w.case = case
    w.analysis = analysis
    return w
