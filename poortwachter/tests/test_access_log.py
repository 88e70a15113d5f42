"""The medical access log: append-only in the database, and searchable and
exportable by the tenant's privacy officer (NEN 7513, AVG art. 15)."""

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts.models import AuditEvent, Membership, Role
from accounts.scoping import tenant_scope
from cases.tests.factories import EmployeeFactory
from poortwachter.models import MedicalAccessLog, MedicalRecordType

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _read(world, employee, *, role=Role.BEDRIJFSARTS, when=None, **kwargs):
    """A log row as ``medical_record_get`` writes it, at ``when``."""
    user = world.user(role if role != "casemanager_td" else "casemanager_td")
    values = {
        "tenant": world.tenant_a,
        "user": user,
        "role": Role.CASEMANAGER if role == "casemanager_td" else role,
        "record_type": MedicalRecordType.CONSULT,
        "record_id": 1,
        "employee": employee,
        "remote_addr": "192.0.2.10",
        **kwargs,
    }
    moment = when or dt.datetime(2026, 11, 2, 10, tzinfo=AMSTERDAM)
    with time_machine.travel(moment, tick=False), tenant_scope(world.tenant_a):
        return MedicalAccessLog.objects.create(**values)


@pytest.fixture
def officer(world, login):
    with tenant_scope(world.tenant_a):
        Membership.objects.filter(pk=world.memberships[Role.TENANT_ADMIN].pk).update(
            privacy_officer=True
        )
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302
    return client


@pytest.fixture
def plain_admin(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302
    return client


# --- append-only -----------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE poortwachter_medicalaccesslog SET remote_addr = '10.0.0.1'",
        "UPDATE poortwachter_medicalaccesslog SET user_id = user_id",
        "DELETE FROM poortwachter_medicalaccesslog",
        "TRUNCATE poortwachter_medicalaccesslog",
    ],
)
def test_database_refuses_to_change_or_remove_a_log_row(world, statement):
    log = _read(world, world.team_employee)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        # Inside the tenant's scope: row-level security would otherwise hide
        # the row, and a statement that touches no row fires no row trigger.
        tenant_scope(world.tenant_a),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # The test's own deferred foreign-key checks would block a
        # TRUNCATE before the trigger is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement)
    with tenant_scope(world.tenant_a):
        log.refresh_from_db()
    assert log.remote_addr == "192.0.2.10"


def test_orm_delete_of_a_log_row_is_refused_too(world):
    log = _read(world, world.team_employee)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        tenant_scope(world.tenant_a),
    ):
        MedicalAccessLog.objects.filter(pk=log.pk).delete()
    with tenant_scope(world.tenant_a):
        assert MedicalAccessLog.objects.filter(pk=log.pk).exists()


def test_new_reads_are_still_written(world):
    _read(world, world.team_employee)
    _read(world, world.team_employee)
    with tenant_scope(world.tenant_a):
        assert MedicalAccessLog.objects.count() == 2


def test_admin_offers_no_add_change_or_delete(world, officer):
    log = _read(world, world.team_employee)
    base = "/beheer/poortwachter/medicalaccesslog/"
    assert officer.get(base).status_code == 200
    assert officer.get(f"{base}add/").status_code == 403
    assert officer.get(f"{base}{log.pk}/change/").status_code == 404
    assert officer.post(f"{base}{log.pk}/delete/").status_code in (403, 404)
    with tenant_scope(world.tenant_a):
        assert MedicalAccessLog.objects.filter(pk=log.pk).exists()


# --- the privacy officer flag ----------------------------------------------------


def test_privacy_officer_flag_is_only_for_a_tenant_admin(world):
    membership = world.memberships[Role.REGIEHOUDER]
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        tenant_scope(world.tenant_a),
    ):
        Membership.objects.filter(pk=membership.pk).update(privacy_officer=True)


def test_tenant_admin_sets_the_flag_and_gets_a_form_error_for_other_roles(
    world, plain_admin
):
    response = plain_admin.post(
        "/beheer/accounts/membership/add/",
        {
            "email": "po@example.test",
            "role": Role.HR,
            "employers": [world.employer_a1.pk],
            "privacy_officer": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Alleen een beheerder kan privacyfunctionaris zijn." in response.text
    response = plain_admin.post(
        "/beheer/accounts/membership/add/",
        {
            "email": "po@example.test",
            "role": Role.TENANT_ADMIN,
            "privacy_officer": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert Membership.objects.get(user__email="po@example.test").privacy_officer


def test_tenant_admin_without_the_flag_gets_403_and_no_menu_entry(world, plain_admin):
    _read(world, world.team_employee)
    assert "medicalaccesslog" not in plain_admin.get("/beheer/").text
    base = "/beheer/poortwachter/medicalaccesslog/"
    assert plain_admin.get(base).status_code == 403
    export = f"{base}export/{world.team_employee.pk}/csv/"
    assert plain_admin.get(export).status_code == 403
    with tenant_scope(world.tenant_a):
        assert not AuditEvent.objects.filter(action="access_log_export").exists()


def test_other_roles_cannot_reach_the_log_at_all(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    client.get("/t/tenant-a/")
    response = client.get("/beheer/poortwachter/medicalaccesslog/")
    assert response.status_code in (302, 404)


# --- search ------------------------------------------------------------------------


def test_search_by_employee_user_record_type_and_dates(world, officer):
    team, other = world.team_employee, world.a1_employee
    _read(world, team, when=dt.datetime(2026, 10, 1, 9, tzinfo=AMSTERDAM))
    _read(
        world,
        team,
        role="casemanager_td",
        record_type=MedicalRecordType.QUESTIONNAIRE,
        when=dt.datetime(2026, 10, 15, 23, 30, tzinfo=AMSTERDAM),
    )
    _read(world, other, when=dt.datetime(2026, 11, 1, 0, 15, tzinfo=AMSTERDAM))
    base = "/beheer/poortwachter/medicalaccesslog/"

    page = officer.get(base)
    assert "3 inzages" in page.text

    page = officer.get(base, {"employee": "Eerstema"})
    assert "1 inzage" in page.text
    assert other.personnel_number in page.text

    page = officer.get(base, {"employee": team.personnel_number})
    assert "2 inzages" in page.text

    page = officer.get(base, {"user": "casemanager-td@"})
    assert "1 inzage" in page.text
    assert "Medische antwoorden vragenlijst" in page.text

    page = officer.get(base, {"record_type": MedicalRecordType.CONSULT})
    assert "2 inzages" in page.text

    # Both ends of the range are whole days in Dutch time.
    page = officer.get(base, {"date_from": "2026-10-15", "date_to": "2026-10-31"})
    assert "1 inzage" in page.text
    page = officer.get(base, {"date_from": "2026-10-16", "date_to": "2026-11-01"})
    assert "1 inzage" in page.text


def test_a_range_that_ends_before_it_starts_is_a_form_error(world, officer):
    page = officer.get(
        "/beheer/poortwachter/medicalaccesslog/",
        {"date_from": "2026-10-16", "date_to": "2026-10-01"},
    )
    assert page.status_code == 200
    assert "De einddatum ligt vóór de begindatum." in page.text


def test_search_page_query_count_does_not_grow_with_rows(
    world, officer, django_assert_max_num_queries
):
    base = "/beheer/poortwachter/medicalaccesslog/"
    _read(world, world.team_employee)
    with django_assert_max_num_queries(12) as few:
        officer.get(base)
    for index in range(30):
        employee = world.team_employee if index % 2 else world.a1_employee
        _read(world, employee, record_id=index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = officer.get(base)
    assert "31 inzages" in page.text


def test_search_never_shows_another_tenants_reads(world, officer):
    with tenant_scope(world.tenant_b):
        MedicalAccessLog.objects.create(
            tenant=world.tenant_b,
            user=world.casemanager_b,
            role=Role.CASEMANAGER,
            record_type=MedicalRecordType.CONSULT,
            record_id=1,
            employee=world.b_employee,
        )
    page = officer.get("/beheer/poortwachter/medicalaccesslog/")
    assert "0 inzages" in page.text
    assert "Buitenveld" not in page.text
    export = f"/beheer/poortwachter/medicalaccesslog/export/{world.b_employee.pk}/csv/"
    assert officer.get(export).status_code == 404


# --- export (right of access) ------------------------------------------------------


def test_export_for_one_employee_as_csv_holds_only_their_reads(world, officer):
    team = world.team_employee
    _read(world, team, when=dt.datetime(2026, 10, 1, 9, tzinfo=AMSTERDAM))
    _read(world, team, role="casemanager_td", record_id=7)
    _read(world, world.a1_employee)
    response = officer.get(
        f"/beheer/poortwachter/medicalaccesslog/export/{team.pk}/csv/"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["user_email"] for row in rows] == [
        world.user(Role.BEDRIJFSARTS).email,
        "casemanager-td@tenant-a.test",
    ]
    assert rows[0]["accessed_at"].startswith("2026-10-01T09:00")
    assert rows[1]["role"] == Role.CASEMANAGER
    assert rows[1]["record_id"] == "7"
    assert rows[0]["remote_addr"] == "192.0.2.10"


def test_export_as_json_and_the_export_is_audited(world, officer):
    team = world.team_employee
    _read(world, team)
    response = officer.get(
        f"/beheer/poortwachter/medicalaccesslog/export/{team.pk}/json/"
    )
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["employee"]["personnel_number"] == team.personnel_number
    assert len(document["reads"]) == 1
    assert document["reads"][0]["record_type"] == MedicalRecordType.CONSULT
    with tenant_scope(world.tenant_a):
        event = AuditEvent.objects.get(action="access_log_export")
    assert event.actor == world.user(Role.TENANT_ADMIN)
    assert event.object_id == team.pk
    assert event.data == {"format": "json", "rows": 1}


def test_employee_without_reads_can_still_be_exported(world, officer):
    with tenant_scope(world.tenant_a):
        nobody = EmployeeFactory(
            employer=world.employer_a3, surname="Zonderinzage", personnel_number="Z-1"
        )
    page = officer.get(
        "/beheer/poortwachter/medicalaccesslog/", {"employee": "Zonderinzage"}
    )
    assert "0 inzages" in page.text
    url = f"/beheer/poortwachter/medicalaccesslog/export/{nobody.pk}/json/"
    assert url in page.text
    assert json.loads(officer.get(url).content)["reads"] == []


def test_unknown_export_format_is_404(world, officer):
    url = f"/beheer/poortwachter/medicalaccesslog/export/{world.team_employee.pk}/xml/"
    assert officer.get(url).status_code == 404
