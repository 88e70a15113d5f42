"""The probleemanalyse in two parts: advice for everyone on the case, the
medical part only for physicians, every read of it logged."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import MedicalAccessLog, Probleemanalyse, Task, TaskStatus
from poortwachter.services import deadlines_refresh_for_case

MEDICAL = "Lumbale hernia L4-L5, pijnstilling via huisarts"
ADVICE = "Niet tillen boven 5 kilo; start met halve dagen administratief werk."


@pytest.fixture(autouse=True)
def no_broker():
    with mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay"):
        yield


def _form(**overrides):
    data = {
        "kind": "eerste",
        "made_on": "2026-11-13",
        "limitations": ADVICE,
        "prognosis": "Herstel binnen 8 weken verwacht.",
        "advice": "Opbouw in uren, over 2 weken evalueren.",
        "plan_van_aanpak_needed": "on",
        "anamnesis": MEDICAL,
        "assessment": "Radiculair syndroom.",
        "treatment": "Fysiotherapie.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def recorded(world, login):
    """The bedrijfsarts records a late PA on the team case (day 42 = 11 Nov)."""
    with tenant_scope(world.tenant_a):
        deadlines_refresh_for_case(case=world.team_case, today=dt.date(2026, 11, 20))
    client = login(world.user(Role.BEDRIJFSARTS))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/probleemanalyse/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    assert response.status_code == 302, response.content[:500]
    with tenant_scope(world.tenant_a):
        return Probleemanalyse.objects.get(case=world.team_case)


def test_recording_completes_the_task_and_moves_the_plan_van_aanpak(world, recorded):
    with tenant_scope(world.tenant_a):
        pa = Task.objects.get(case=world.team_case, key="probleemanalyse")
        assert pa.status == TaskStatus.DONE
        deadlines_refresh_for_case(case=world.team_case, today=dt.date(2026, 11, 20))
        pva = Task.objects.get(case=world.team_case, key="plan_van_aanpak")
    assert pva.due_date == dt.date(2026, 11, 27)  # PA 13 Nov (late) + 14


@pytest.mark.parametrize("role", ["leidinggevende", "hr", "regiehouder", "casemanager"])
def test_medical_part_never_reaches_employer_side_pages(world, recorded, login, role):
    client = login(world.user(role))
    case = world.team_case
    pages = [
        "/t/tenant-a/",
        f"/t/tenant-a/dossiers/{case.pk}/",
        f"/t/tenant-a/dossiers/{case.pk}/termijnen/",
        f"/t/tenant-a/werknemers/{case.employee_id}/",
        "/t/tenant-a/taken/?uitvoerder=all&bak=later",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code in (200, 404), url
        for text in (MEDICAL, "Radiculair", "Fysiotherapie", "hernia"):
            assert text not in page.text, (role, url)
    case_page = client.get(f"/t/tenant-a/dossiers/{case.pk}/").text
    assert ADVICE in case_page  # the functional advice is for them
    medical_url = f"/t/tenant-a/probleemanalyses/{recorded.pk}/medisch/"
    assert client.get(medical_url).status_code == 404
    with tenant_scope(world.tenant_a):
        assert not MedicalAccessLog.objects.exists()


def test_physician_reads_the_medical_part_and_the_read_is_logged(
    world, recorded, login
):
    client = login(world.user(Role.BEDRIJFSARTS))
    page = client.get(f"/t/tenant-a/probleemanalyses/{recorded.pk}/medisch/")
    assert page.status_code == 200
    assert MEDICAL in page.text
    assert page["Cache-Control"] == "no-store"
    with tenant_scope(world.tenant_a):
        log = MedicalAccessLog.objects.get()
    assert log.user == world.user(Role.BEDRIJFSARTS)
    assert log.role == Role.BEDRIJFSARTS
    assert log.employee_id == world.team_case.employee_id
    assert log.remote_addr == "127.0.0.1"


def test_casemanager_in_taakdelegatie_may_read_it(world, recorded, login):
    client = login(world.user("casemanager_td"))
    page = client.get(f"/t/tenant-a/probleemanalyses/{recorded.pk}/medisch/")
    assert page.status_code == 200
    assert MEDICAL in page.text


def test_only_physicians_may_record(world, login):
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/probleemanalyse/"
    for role in ("leidinggevende", "hr", "regiehouder", "casemanager", "werknemer"):
        assert login(world.user(role)).get(url).status_code == 404, role
    # and a bedrijfsarts only on cases assigned to them
    other = f"/t/tenant-a/dossiers/{world.a1_case.pk}/probleemanalyse/"
    assert login(world.user(Role.BEDRIJFSARTS)).get(other).status_code == 404


def test_missing_advice_and_future_date_are_form_errors(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/probleemanalyse/"
    response = client.post(url, _form(advice=""))
    assert response.status_code == 200
    assert "errorlist" in response.text
    response = client.post(url, _form(made_on="2099-01-01"))
    assert "in de toekomst" in response.text
    with tenant_scope(world.tenant_a):
        assert not Probleemanalyse.objects.exists()


def test_medical_text_is_encrypted_in_the_database(world, recorded):
    with tenant_scope(world.tenant_a), connection.cursor() as cursor:
        cursor.execute("SELECT anamnesis FROM poortwachter_probleemanalysemedical")
        (stored,) = cursor.fetchone()
    assert "hernia" not in stored
