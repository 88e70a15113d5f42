"""Encryption at rest: the BSN and every medical free-text field hold only
ciphertext in the database, and ``encryption_rotate`` moves every encrypted
column to the newest key without losing a value."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from accounts.audit import MEDICAL_MODELS
from accounts.management.commands.encryption_rotate import encrypted_columns
from accounts.models import Role
from accounts.scoping import all_tenants, tenant_scope
from cases.models import Employee
from core.crypto import decrypt_text
from poortwachter.models import ProbleemanalyseMedical
from poortwachter.services import consult_record, probleemanalyse_record
from triage.models import Questionnaire
from triage.services import invitation_create, response_save

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BSN = "111222333"
SECRETS = {
    ("cases_employee", "bsn"): BSN,
    ("poortwachter_probleemanalysemedical", "anamnesis"): "Angststoornis sinds mei",
    ("poortwachter_probleemanalysemedical", "assessment"): "Depressieve episode",
    ("poortwachter_probleemanalysemedical", "treatment"): "Sertraline 50 mg",
    ("poortwachter_consultmedical", "notes"): "Hoofdpijn en slapeloosheid",
    ("triage_responsemedical", "answers"): "Migraine met aura",
}


@pytest.fixture
def medical(scope_a):
    """One row of every medical model with text in every field, written
    through the services, and an employee with a BSN."""
    w = scope_a
    arts = w.user(Role.BEDRIJFSARTS)
    case = w.team_case
    with time_machine.travel(
        dt.datetime(2026, 10, 5, 10, tzinfo=AMSTERDAM), tick=False
    ):
        probleemanalyse_record(
            actor=arts,
            case=case,
            kind="eerste",
            made_on=dt.date(2026, 10, 5),
            limitations="Geen zwaar tillen",
            advice="Aangepast werk",
            anamnesis=SECRETS["poortwachter_probleemanalysemedical", "anamnesis"],
            assessment=SECRETS["poortwachter_probleemanalysemedical", "assessment"],
            treatment=SECRETS["poortwachter_probleemanalysemedical", "treatment"],
        )
        consult_record(
            actor=arts,
            case=case,
            held_on=dt.date(2026, 10, 5),
            kind="spreekuur",
            notes=SECRETS["poortwachter_consultmedical", "notes"],
        )
        invitation = invitation_create(
            actor=w.user(Role.REGIEHOUDER),
            case=case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
        response_save(
            invitation=invitation,
            section="gezondheid",
            answers={"complaints": SECRETS["triage_responsemedical", "answers"]},
        )
    assert Employee.objects.get(pk=case.employee_id).bsn == BSN
    return w


def _raw(table: str, column: str) -> list[str]:
    """Every row's stored value, of every tenant (row-level security would
    otherwise show only the scoped tenant's rows)."""
    with all_tenants("a test reads raw columns"), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} "  # noqa: S608
            f"FROM {connection.ops.quote_name(table)}"
        )
        return [row[0] for row in cursor.fetchall() if row[0]]


def test_the_test_covers_the_bsn_and_every_encrypted_medical_field():
    medical_columns = {
        (model._meta.db_table, column)
        for model, columns in encrypted_columns()
        if model._meta.label_lower in MEDICAL_MODELS
        for column in columns
    }
    assert medical_columns | {("cases_employee", "bsn")} == set(SECRETS)


def test_every_text_field_of_a_medical_model_is_encrypted():
    from django.apps import apps
    from django.db import models

    from core.fields import EncryptedTextField

    for label in MEDICAL_MODELS:
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField):
                assert isinstance(field, EncryptedTextField), f"{label}.{field.name}"


@pytest.mark.parametrize(("table", "column"), sorted(SECRETS))
def test_column_holds_no_plain_text(medical, table, column):
    secret = SECRETS[table, column]
    stored = _raw(table, column)
    assert stored, f"no value stored in {table}.{column}"
    for value in stored:
        assert secret not in value
        assert secret.split()[0] not in value
        assert value.startswith("gAAAAA")  # a Fernet token
    assert any(secret in decrypt_text(value) for value in stored)


# --- key rotation -----------------------------------------------------------------

# Everything the fixtures wrote is under the test settings' key: the old one.
OLD_KEY = settings.FIELD_ENCRYPTION_KEYS[0]
NEW_KEY = Fernet.generate_key().decode()


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("encryption_rotate", *args, stdout=out)
    return out.getvalue()


def test_rotation_moves_every_row_to_the_new_key_and_old_key_can_go(scope_a):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        probleemanalyse_medical = ProbleemanalyseMedical.objects.create(
            tenant=scope_a.tenant_a,
            probleemanalyse=_probleemanalyse(scope_a),
            anamnesis="Rugklachten",
            assessment="",
            treatment="Fysiotherapie",
        )
    before = _raw("cases_employee", "bsn")
    employees = len(before)  # tenants A and B

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        with pytest.raises(CommandError, match="still under an older key"):
            _rotate("--check")
        # Small batches: the run pages through each tenant's rows.
        report = _rotate("--batch-size", "2")
        assert (
            f"cases_employee: {employees} rows, {employees} under an older key, "
            f"{employees} re-encrypted, 0 unreadable"
        ) in report
        assert (
            "poortwachter_probleemanalysemedical: 1 rows, 1 under an older key, "
            "1 re-encrypted"
        ) in report
        # Idempotent: a second run finds nothing to do, and --check passes.
        assert ", 0 under an older key, 0 re-encrypted" in _rotate().splitlines()[-1]
        _rotate("--check")

    assert set(_raw("cases_employee", "bsn")).isdisjoint(before)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        with tenant_scope(scope_a.tenant_a):
            assert all(e.bsn == BSN for e in Employee.objects.all())
            stored = ProbleemanalyseMedical.objects.get(pk=probleemanalyse_medical.pk)
            assert (stored.anamnesis, stored.assessment, stored.treatment) == (
                "Rugklachten",
                "",
                "Fysiotherapie",
            )
        with tenant_scope(scope_a.tenant_b):
            assert Employee.objects.get(pk=scope_a.b_employee.pk).bsn == BSN


def test_removing_the_old_key_too_early_is_reported_and_loses_nothing(scope_a):
    raw = _raw("cases_employee", "bsn")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]),
        pytest.raises(CommandError, match="cannot be decrypted"),
    ):
        _rotate()
    assert _raw("cases_employee", "bsn") == raw
    assert Employee.objects.get(pk=scope_a.a1_employee.pk).bsn == BSN


def _probleemanalyse(w):
    from poortwachter.models import Probleemanalyse

    return Probleemanalyse.objects.create(
        tenant=w.tenant_a,
        case=w.a1_case,
        made_on=dt.date(2026, 10, 5),
        bedrijfsarts=w.user(Role.BEDRIJFSARTS),
        limitations="Geen tillen",
        advice="Aangepast werk",
    )
