"""The AFAS connector against a real HTTP server on 127.0.0.1 that serves
AFAS-shaped GetConnector pages."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import Employee
from integrations.afas.client import AfasClient, AfasError, token_header
from integrations.afas.mapping import DEFAULT_FIELD_MAP, field_map_for, source_rows
from integrations.afas.models import AfasConnection
from integrations.afas.services import afas_sync
from integrations.afas.tasks import afas_sync_all_task, afas_sync_task
from integrations.imports.models import ImportRun, ImportStatus
from integrations.imports.tests.helpers import valid_bsn

TOKEN = "<token><version>1</version><data>GEHEIM123</data></token>"


def afas_row(number: int, **extra):
    row = {
        "Medewerker": f"{number:05d}",
        "BSN": valid_bsn(number),
        "Voorletters": "K.",
        "Roepnaam": f"Kees{number}",
        "Voorvoegsel": None,
        "Achternaam": f"Jansen{number}",
        "Geboortedatum": "1979-03-02T00:00:00Z",
        "Email_werk": f"kees{number}@afas.test",
        "Uren_per_week": 36.0,
        "Datum_in_dienst": "2018-06-01T00:00:00Z",
        "Datum_uit_dienst": None,
    }
    row.update(extra)
    return row


class FakeAfas:
    """Serves ``rows`` as GetConnector ``connector`` pages; records requests."""

    def __init__(self, rows, connector="Hervat_Medewerkers"):
        self.rows = rows
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append((url.path, query, self.headers["Authorization"]))
                if self.headers["Authorization"] != token_header(TOKEN):
                    self.send_response(401)
                    self.end_headers()
                    return
                if url.path != f"/ProfitRestServices/connectors/{connector}":
                    self.send_response(404)
                    self.end_headers()
                    return
                skip, take = int(query["skip"]), int(query["take"])
                body = json.dumps(
                    {"skip": skip, "take": take, "rows": fake.rows[skip : skip + take]}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_port}/ProfitRestServices"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def connection(scope_a):
    return AfasConnection.objects.create(
        tenant=scope_a.tenant_a,
        employer=scope_a.employer_a2,
        base_url="http://127.0.0.1:9/ProfitRestServices",
        token=TOKEN,
    )


def test_token_header_is_base64_of_the_token_xml():
    header = token_header(TOKEN)
    assert header.startswith("AfasToken ")
    assert base64.b64decode(header.removeprefix("AfasToken ")).decode() == TOKEN
    assert token_header("GEHEIM123") == header


def test_client_reads_every_page_with_skip_and_take():
    rows = [afas_row(i) for i in range(1, 8)]
    with FakeAfas(rows) as afas:
        client = AfasClient(base_url=afas.base_url, token=TOKEN)
        got = list(client.rows(connector_id="Hervat_Medewerkers", take=3))
    assert got == rows
    assert [(q["skip"], q["take"]) for _p, q, _a in afas.requests] == [
        ("0", "3"),
        ("3", "3"),
        ("6", "3"),
    ]
    assert all(auth == token_header(TOKEN) for _p, _q, auth in afas.requests)


def test_client_reports_a_refused_token():
    with FakeAfas([afas_row(1)]) as afas:
        client = AfasClient(base_url=afas.base_url, token="fout")
        with pytest.raises(AfasError, match="401"):
            list(client.rows(connector_id="Hervat_Medewerkers"))


def test_mapping_turns_afas_values_into_import_rows():
    rows, columns = source_rows([afas_row(7, Uren_per_week=32.5)], field_map_for(None))
    (row,) = rows
    assert columns["personnel_number"] == "Medewerker"
    assert row.values["date_of_birth"] == "1979-03-02"
    assert row.values["contract_hours"] == "32.5"
    assert row.values["surname_prefix"] == ""
    assert "phone" not in row.values  # the connector has no Mobiel_werk
    renamed = field_map_for({"email": "Email_prive"})
    assert renamed["Email_prive"] == "email"
    assert "Email_werk" not in renamed
    assert set(DEFAULT_FIELD_MAP.values()) == set(field_map_for(None).values())


def test_sync_imports_records_a_run_and_is_idempotent(scope_a, connection):
    rows = [afas_row(i) for i in range(1, 6)]
    with FakeAfas(rows) as afas:
        connection.base_url = afas.base_url
        connection.save()
        first = afas_sync(connection=connection)
        assert first.status == ImportStatus.DONE, first.failure
        assert (first.source, first.created_count) == ("afas", 5)
        again = afas_sync(connection=connection)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (
        0,
        0,
        5,
    )
    kees = Employee.objects.get(employer=scope_a.employer_a2, personnel_number="00003")
    assert kees.bsn == valid_bsn(3)
    assert str(kees.contract_hours) == "36.0"
    assert "00003" not in {m["personnel_number"] for m in first.report["missing"]}
    assert valid_bsn(3) not in json.dumps(first.report)


def test_sync_reports_employees_afas_no_longer_lists(scope_a, connection):
    rows = [afas_row(i) for i in range(1, 4)]
    with FakeAfas(rows) as afas:
        connection.base_url = afas.base_url
        connection.save()
        afas_sync(connection=connection)
        afas.rows = rows[:2]
        later = afas_sync(connection=connection)
    assert "00003" in {m["personnel_number"] for m in later.report["missing"]}
    assert Employee.objects.filter(personnel_number="00003").exists()


def test_sync_with_a_bad_row_writes_nothing(scope_a, connection):
    rows = [afas_row(1), afas_row(2, BSN="123456789")]
    with FakeAfas(rows) as afas:
        connection.base_url = afas.base_url
        connection.save()
        run = afas_sync(connection=connection)
    assert run.status == ImportStatus.FAILED
    assert run.report["errors"][0]["column"] == "BSN"
    assert run.report["errors"][0]["row"] == 2
    assert not Employee.objects.filter(employer=scope_a.employer_a2).filter(
        personnel_number__in=["00001", "00002"]
    )


def test_sync_records_why_afas_could_not_be_read(scope_a, connection):
    with FakeAfas([afas_row(1)]) as afas:
        connection.base_url = afas.base_url
        connection.token = "verkeerd"
        connection.save()
        run = afas_sync(connection=connection)
    assert run.status == ImportStatus.FAILED
    assert "401" in run.failure
    assert "verkeerd" not in run.failure


def test_tasks_do_nothing_unless_enabled(world, settings):
    with tenant_scope(world.tenant_a):
        connection = AfasConnection.objects.create(
            tenant=world.tenant_a,
            employer=world.employer_a2,
            base_url="http://127.0.0.1:9/ProfitRestServices",
            token=TOKEN,
        )
    settings.AFAS_ENABLED = False
    assert afas_sync_all_task() == 0
    assert afas_sync_task(connection.pk, world.tenant_a.pk) is None
    with tenant_scope(world.tenant_a):
        assert not ImportRun.objects.exists()


def test_enabled_task_syncs_inside_the_tenant_scope(world, settings):
    settings.AFAS_ENABLED = True
    with FakeAfas([afas_row(1)]) as afas, tenant_scope(world.tenant_a):
        connection = AfasConnection.objects.create(
            tenant=world.tenant_a,
            employer=world.employer_a2,
            base_url=afas.base_url,
            token=TOKEN,
        )
    with FakeAfas([afas_row(1)]) as afas:
        with tenant_scope(world.tenant_a):
            AfasConnection.objects.filter(pk=connection.pk).update(
                base_url=afas.base_url
            )
        assert afas_sync_task(connection.pk, world.tenant_a.pk) == ImportStatus.DONE
    with tenant_scope(world.tenant_b):
        assert not AfasConnection.objects.filter(pk=connection.pk).exists()


def test_token_is_stored_encrypted_and_never_shown(scope_a, connection, login):
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(
            "SELECT token FROM afas_afasconnection WHERE id = %s", [connection.pk]
        )
        (stored,) = cursor.fetchone()
    assert "GEHEIM123" not in stored
    client = login(scope_a.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    page = client.get(f"/beheer/afas/afasconnection/{connection.pk}/change/")
    assert page.status_code == 200
    assert "GEHEIM123" not in page.text


def test_sync_now_action_warns_when_disabled(scope_a, connection, login, settings):
    settings.AFAS_ENABLED = False
    client = login(scope_a.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    response = client.post(
        "/beheer/afas/afasconnection/",
        {"action": "sync_now", ACTION_CHECKBOX_NAME: [connection.pk]},
        follow=True,
    )
    assert "AFAS_ENABLED" in response.text


def test_client_speaks_http_only():
    import ast
    from pathlib import Path

    import integrations.afas.client as module

    tree = ast.parse(Path(module.__file__).read_text())
    names = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [
        n for n in names if n and n.startswith(("django", "integrations", "cases"))
    ]
