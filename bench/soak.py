"""Load and soak test: 50 people at work for ten minutes against gunicorn and
real Celery workers on loopback, then a consistency check of the database.

    make soak                        # SOAK_SECONDS=600 by default
    SOAK_SECONDS=30 .venv/bin/python bench/soak.py

What it does, in order:

1. creates its own database ``hervat_soak`` (next to DATABASE_URL's) anew,
   migrates it and seeds one realistic tenant: several employers, a few
   thousand employees (BSNs encrypted), open cases at every stage with their
   timelines and tasks, recovered cases, signed plans van aanpak with stored
   PDFs and a few concepts whose PDF is still to be rendered;
2. starts an SMTP sink and a webhook receiver (threads here, on 127.0.0.1),
   gunicorn (gthread), a Celery worker on the default, documents and
   integrations queues, and celery beat, all as subprocesses of the app with
   production settings (DEBUG off) and their own Redis database;
3. runs the virtual users (``bench/soak_users.py``) in a separate process:
   managers report sickness and recovery, case managers work the task queue,
   HR downloads PDFs, each with a think time of about a second;
4. waits until the queues are empty and no timeline is stale, then checks
   the database against what the users were told (``bench/soak_check.py``):
   every reported ziekmelding is exactly one case, no employee has two open
   cases, no task exists twice, every open case has a fresh timeline and its
   legal tasks, every recovery and completed task is recorded, each mail and
   webhook went out exactly once, every downloaded PDF matches its sha256;
5. prints a table (p50/p95/p99 per request kind, throughput, errors, the
   machine's load average) and writes ``.artifacts/bench/soak.json``.

Exits non-zero on any error (a 5xx, a connection error, an unexpected status
or form error) or failed check. Bounded: the users stop after SOAK_SECONDS,
every request has a timeout, and all processes are stopped at the end.

Two-factor authentication: when django-otp's TOTP plugin is installed, every
seeded user gets a confirmed TOTP device with a known key (in the plan), and
the virtual users answer the code step when the login asks for one.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from soak_check import (  # noqa: E402
    Actions,
    CaseRow,
    Snapshot,
    TimelineRow,
    consistency_problems,
    latency_summary,
    per_minute,
)

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
USERS = int(os.environ.get("SOAK_USERS", "50"))
THINK_SECONDS = float(os.environ.get("SOAK_THINK_SECONDS", "1.0"))
# People arrive over the first minute: a login is a deliberately slow
# password hash (PBKDF2, ~0.5-1.5 s of CPU here), 50 at once is no workday.
RAMP_SECONDS = float(os.environ.get("SOAK_RAMP_SECONDS", "60"))
# A person waits this long for a page before calling it broken.
TIMEOUT_SECONDS = float(os.environ.get("SOAK_TIMEOUT_SECONDS", "60"))
DRAIN_SECONDS = int(os.environ.get("SOAK_DRAIN_SECONDS", "180"))
EMPLOYERS = int(os.environ.get("SOAK_EMPLOYERS", "6"))
EMPLOYEES = int(os.environ.get("SOAK_EMPLOYEES", "5000"))
OPEN_CASES = int(os.environ.get("SOAK_OPEN_CASES", "600"))
CLOSED_CASES = int(os.environ.get("SOAK_CLOSED_CASES", "300"))
SIGNED_DOCUMENTS = int(os.environ.get("SOAK_DOCUMENTS", "40"))
CONCEPT_DOCUMENTS = int(os.environ.get("SOAK_CONCEPTS", "10"))
GUNICORN_WORKERS = int(os.environ.get("SOAK_GUNICORN_WORKERS", "3"))
GUNICORN_THREADS = int(os.environ.get("SOAK_GUNICORN_THREADS", "4"))
CELERY_CONCURRENCY = int(os.environ.get("SOAK_CELERY_CONCURRENCY", "2"))
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/15")
DATABASE_NAME = "hervat_soak"
TENANT = "soak"
PASSWORD = "soak-wachtwoord-2026"  # noqa: S105 - seeded bench users only
# A fixed Fernet key and secret for the bench database only.
FIELD_KEY = "c29hay10ZXN0LW9ubHktZmllbGQta2V5LTMyYnl0ZSE="
SECRET_KEY = "hervat-soak-bench-only-secret-key"  # noqa: S105
QUEUES = ("default", "documents", "integrations", "statistics")
ARTIFACTS = ROOT / ".artifacts" / "bench"
WORKDIR = ARTIFACTS / "soak"
RESULT_FILE = ARTIFACTS / "soak.json"
# Lines in the logs of gunicorn, the worker and beat that count as errors.
LOG_ERROR = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|\[ERROR\]|ERROR/")

EMPLOYER_NAMES = (
    "Bouwbedrijf De Hoek B.V.",
    "Zorggroep Lindehof",
    "Transport Van Dam",
    "Gemeente Waterland",
    "Bakkerij Het Korenaar",
    "Installatietechniek Noord",
    "Schoonmaakbedrijf Glans",
    "ICT Diensten Zuid",
)
FIRST_NAMES = ("Anna", "Bram", "Chantal", "Daan", "Eva", "Femke", "Gijs", "Hanna")
SURNAMES = (
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Yilmaz",
    "El Amrani",
    "Dijkstra",
)


def report(name: str, value: str, note: str = "") -> None:
    print(f"{name:<58} {value:>18}  {note}")


# --- environment and database -------------------------------------------------------


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hervat")
    return urlunparse(urlparse(base)._replace(path=f"/{DATABASE_NAME}"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app_environment(port: int, smtp_port: int) -> dict[str, str]:
    """Production settings (DEBUG off) pointed at the soak's own services."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": FIELD_KEY,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "MEDIA_ROOT": str(WORKDIR / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "WEBHOOKS_ENABLED": "1",
        "WEBHOOKS_REQUIRE_HTTPS": "0",
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
        # gunicorn speaks plain http on loopback; production sits behind TLS.
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }


def _recreate_database() -> None:
    import psycopg

    admin = urlunparse(urlparse(_database_url())._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE_NAME}")


APP_ROLE = "hervat_soak_app"
APP_ROLE_PASSWORD = "hervat-soak-app"  # noqa: S105 - a loopback bench role


def _app_role_url() -> str | None:
    """The URL web, worker and beat use: a role that is no superuser, has no
    BYPASSRLS and owns nothing, granted DML only, as production runs the app
    (docs/security/row-level-security.md), so row-level security binds the
    soak too. None when the owner may not create roles: then they run as the
    owner."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            "DO $$ BEGIN "
            f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE_PASSWORD}' "
            "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        for statement in (
            f"GRANT CONNECT, TEMPORARY ON DATABASE {DATABASE_NAME} TO {APP_ROLE}",
            f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            f"TO {APP_ROLE}",
            "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public "
            f"TO {APP_ROLE}",
        ):
            cursor.execute(statement)
    owner = urlparse(_database_url())
    netloc = f"{APP_ROLE}:{APP_ROLE_PASSWORD}@{owner.hostname}:{owner.port or 5432}"
    return urlunparse(owner._replace(netloc=netloc))


def _setup_django(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    import django

    django.setup()


# --- sinks: mail and webhooks -------------------------------------------------------


class MailSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take Django's mails and count them per recipient."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: MailSink

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 soak ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", errors="replace").strip()
            verb = command[:4].upper()
            if verb == "DATA":
                self._reply("354 go ahead")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                with self.server.lock:
                    self.server.received.update(recipients)
                recipients = []
                self._reply("250 queued")
            elif verb == "RCPT":
                address = command.partition(":")[2].strip().split()[0]
                recipients.append(address.strip("<>").lower())
                self._reply("250 ok")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 ok")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:  # EHLO, HELO, RSET, NOOP
                self._reply("250 soak")


class WebhookReceiver(ThreadingHTTPServer):
    """Answers 200 to every delivery and counts each event id it gets."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()


class _WebhookHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.received[self.headers.get("Hervat-Event-Id", "")] += 1
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(server: socketserver.BaseServer) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


# --- seed ---------------------------------------------------------------------------


def _valid_bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        if total % 11 < 10 and (digits[0] or digits[1]):
            return "".join(map(str, digits)) + str(total % 11)


def _morning(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))


def _role_counts(users: int) -> dict[str, int]:
    managers = max(1, round(users * 0.4))
    hr = max(1, round(users * 0.2))
    return {"leidinggevende": managers, "casemanager": users - managers - hr, "hr": hr}


def _seed(receiver_url: str) -> dict[str, Any]:
    """One tenant as a mid-sized arbodienst has it; returns the users' plan."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Membership, Role, Tenant, User
    from accounts.scoping import tenant_scope
    from cases.models import (
        AbsenceCase,
        CaseStatus,
        Employee,
        Employer,
        WorkabilityChange,
    )
    from documents.services import (
        document_create,
        document_sign,
        document_signatures_request,
    )
    from integrations.webhooks.models import SUBSCRIBABLE_EVENTS
    from integrations.webhooks.services import endpoint_create
    from poortwachter.services import timelines_refresh

    rng = random.Random(2026)
    today = timezone.localdate()
    tenant = Tenant.objects.create(slug=TENANT, name="Arbodienst Soak")
    start = time.perf_counter()
    password = make_password(PASSWORD)  # one hash: the login still checks it
    hash_seconds = time.perf_counter() - start
    counts = _role_counts(USERS)

    def users(role: str, n: int) -> list[User]:
        made = User.objects.bulk_create(
            User(
                email=f"{role}-{i:02d}@soak.example",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                password=password,
            )
            for i in range(n)
        )
        Membership.objects.bulk_create(
            Membership(tenant=tenant, user=user, role=role) for user in made
        )
        return made

    with tenant_scope(tenant):
        employers = [
            Employer.objects.create(
                tenant=tenant, name=name, kvk_number=f"{10000000 + i}"
            )
            for i, name in enumerate(EMPLOYER_NAMES[:EMPLOYERS])
        ]
        managers = users(Role.LEIDINGGEVENDE, counts["leidinggevende"])
        casemanagers = users(Role.CASEMANAGER, counts["casemanager"])
        hrs = users(Role.HR, counts["hr"])
        (regiehouder,) = users(Role.REGIEHOUDER, 1)
        (admin,) = users(Role.TENANT_ADMIN, 1)
        members = {m.user_id: m for m in Membership.objects.all()}
        for user in [*casemanagers, regiehouder]:
            members[user.pk].employers.set(employers)
        spread = min(len(hrs), len(employers))
        hr_employers: dict[int, list[Employer]] = {}
        for i, user in enumerate(hrs):
            hr_employers[user.pk] = [
                e for j, e in enumerate(employers) if j % spread == i % spread
            ]
            members[user.pk].employers.set(hr_employers[user.pk])

        start = time.perf_counter()
        employees = Employee.objects.bulk_create(
            Employee(
                tenant=tenant,
                employer=employers[i % len(employers)],
                personnel_number=f"S{i:05d}",
                initials=f"{rng.choice(FIRST_NAMES)[0]}.",
                first_name=rng.choice(FIRST_NAMES),
                surname=rng.choice(SURNAMES),
                bsn=_valid_bsn(rng),
                email=f"werknemer-{i:05d}@soak.example",
                preferred_language="en" if i % 9 == 0 else "nl",
                job_title="Medewerker",
                contract_hours=32,
                employment_start=dt.date(2015, 1, 1),
            )
            for i in range(EMPLOYEES)
        )
        report("seed: employees (BSN encrypted)", f"{len(employees):,}", "")

        # Open cases at every stage, each run by a casemanager.
        sick = employees[:OPEN_CASES]
        cases = AbsenceCase.objects.bulk_create(
            AbsenceCase(
                tenant=tenant,
                employee=employee,
                first_sick_day=(day := today - dt.timedelta(days=rng.randint(2, 600))),
                reported_at=_morning(day),
                casemanager=casemanagers[i % len(casemanagers)],
                regiehouder=regiehouder,
            )
            for i, employee in enumerate(sick)
        )
        changes = [
            WorkabilityChange(
                tenant=tenant,
                case=case,
                effective_date=case.first_sick_day,
                percentage_unfit=100,
            )
            for case in cases
        ]
        changes += [
            WorkabilityChange(
                tenant=tenant,
                case=case,
                effective_date=case.first_sick_day + dt.timedelta(days=1),
                percentage_unfit=50,
            )
            for case in cases[::7]
        ]
        # Recovered cases of other employees (history, not in any team).
        closed = []
        for employee in employees[OPEN_CASES : OPEN_CASES + CLOSED_CASES]:
            first = today - dt.timedelta(days=rng.randint(60, 700))
            closed.append(
                AbsenceCase(
                    tenant=tenant,
                    employee=employee,
                    first_sick_day=first,
                    recovery_date=first + dt.timedelta(days=rng.randint(3, 50)),
                    status=CaseStatus.RECOVERED,
                    reported_at=_morning(first),
                )
            )
        for case in AbsenceCase.objects.bulk_create(closed):
            changes.append(
                WorkabilityChange(
                    tenant=tenant,
                    case=case,
                    effective_date=case.first_sick_day,
                    percentage_unfit=100,
                )
            )
            changes.append(
                WorkabilityChange(
                    tenant=tenant,
                    case=case,
                    effective_date=case.recovery_date,
                    percentage_unfit=0,
                )
            )
        WorkabilityChange.objects.bulk_create(changes)
        refreshed = timelines_refresh(today=today)
        report(
            "seed: open cases refreshed (timelines, tasks)",
            f"{refreshed:,}",
            f"{time.perf_counter() - start:.1f} s; "
            f"{CLOSED_CASES:,} recovered cases besides",
        )

        # Teams: the rest of the employees, shared out over the managers.
        free = employees[OPEN_CASES + CLOSED_CASES :]
        size = min(250, len(free) // len(managers))
        teams = {
            manager.pk: free[i * size : (i + 1) * size]
            for i, manager in enumerate(managers)
        }
        for manager in managers:
            Employee.objects.filter(pk__in=[e.pk for e in teams[manager.pk]]).update(
                manager=manager
            )

        # Signed plans van aanpak (PDF rendered and stored) and concepts.
        start = time.perf_counter()
        signed_cases = cases[:SIGNED_DOCUMENTS]
        werknemers = User.objects.bulk_create(
            User(email=f"eigen-{case.employee_id}@soak.example")
            for case in signed_cases
        )
        Membership.objects.bulk_create(
            Membership(tenant=tenant, user=user, role=Role.WERKNEMER)
            for user in werknemers
        )
        hr_of = {e.pk: u for u in hrs for e in hr_employers[u.pk]}
        with_documents: dict[int, list[int]] = {}
        for case, werknemer in zip(signed_cases, werknemers, strict=True):
            Employee.objects.filter(pk=case.employee_id).update(user=werknemer)
            case.employee.user = werknemer
            document = document_create(
                actor=case.casemanager, case=case, kind="plan_van_aanpak"
            )
            document_signatures_request(actor=case.casemanager, document=document)
            hr = hr_of[case.employee.employer_id]
            document_sign(
                actor=hr, document=document, party="werkgever", name=hr.full_name
            )
            document_sign(
                actor=werknemer,
                document=document,
                party="werknemer",
                name=case.employee.display_name,
            )
            with_documents.setdefault(case.employee.employer_id, []).append(case.pk)
        concept_cases = cases[SIGNED_DOCUMENTS : SIGNED_DOCUMENTS + CONCEPT_DOCUMENTS]
        for case in concept_cases:
            document_create(actor=case.casemanager, case=case, kind="plan_van_aanpak")
            with_documents.setdefault(case.employee.employer_id, []).append(case.pk)
        report(
            "seed: signed plans van aanpak (PDF stored) + concepts",
            f"{len(signed_cases)} + {len(concept_cases)}",
            f"{time.perf_counter() - start:.1f} s",
        )

        endpoint_create(
            actor=admin,
            tenant=tenant,
            name="Soak receiver",
            url=receiver_url,
            events=[str(event) for event in SUBSCRIBABLE_EVENTS],
        )

    totp_keys = _totp_devices([*managers, *casemanagers, *hrs], rng)
    # Statistics for the planner, as autovacuum would have them on a
    # database that grew over months rather than in a minute: without them
    # the task queue's count takes seconds instead of milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "tenant": TENANT,
        "users": [
            *(
                {
                    "email": u.email,
                    "role": "leidinggevende",
                    "employees": [e.pk for e in teams[u.pk]],
                }
                for u in managers
            ),
            *(
                {
                    "email": u.email,
                    "role": "casemanager",
                    "employers": [e.pk for e in employers],
                    "search": list(SURNAMES[:4]),
                }
                for u in casemanagers
            ),
            *(
                {
                    "email": u.email,
                    "role": "hr",
                    "cases": [
                        c
                        for e in hr_employers[u.pk]
                        for c in with_documents.get(e.pk, [])
                    ],
                }
                for u in hrs
            ),
        ],
        "passwords": PASSWORD,
        "totp_keys": totp_keys,
        "hash_seconds": hash_seconds,
    }


def _totp_devices(users: list, rng: random.Random) -> dict[str, str]:
    """A confirmed authenticator with a known key per user; the simulated
    users answer the code step of the login with it."""
    from accounts.models import AuthenticatorDevice

    keys = {}
    for user in users:
        key = rng.randbytes(20).hex()
        AuthenticatorDevice.objects.create(
            user=user, name="soak", key=key, confirmed=True
        )
        keys[user.email] = key
    return keys


# --- processes ----------------------------------------------------------------------


def _start(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    log = open(WORKDIR / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_http(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped; see .artifacts/bench/soak/gunicorn.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def _static_current() -> bool:
    """Whether the collected static files (with DEBUG off the manifest
    storage needs them) are newer than every source: collecting and
    compressing them anew takes minutes on two busy cores."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > built:
                return False
    return True


def _start_services(env: dict[str, str], port: int) -> list[subprocess.Popen]:
    bin_dir = Path(sys.executable).parent
    if not _static_current():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    gunicorn = _start(
        "gunicorn",
        [
            str(bin_dir / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(GUNICORN_WORKERS),
            "--threads",
            str(GUNICORN_THREADS),
            # Longer than any think time: an idle user's connection stays up.
            "--keep-alive",
            "75",
            "--log-level",
            "warning",
        ],
        env,
    )
    celery = str(bin_dir / "celery")
    worker = _start(
        "worker",
        [
            celery,
            "-A",
            "config",
            "worker",
            "-Q",
            ",".join(QUEUES),
            "-c",
            str(CELERY_CONCURRENCY),
            "-n",
            f"soak-{os.getpid()}@%h",
            "-l",
            "warning",
        ],
        env,
    )
    beat = _start(
        "beat",
        [
            celery,
            "-A",
            "config",
            "beat",
            "-l",
            "warning",
            "--pidfile",
            str(WORKDIR / "beat.pid"),
            "-s",
            str(WORKDIR / "beat-schedule"),
        ],
        env,
    )
    processes = [gunicorn, worker, beat]
    try:
        _wait_for_http(port, gunicorn)
    except SystemExit:
        _stop(processes)
        raise
    return processes


# --- run, drain, check --------------------------------------------------------------


class Sampler:
    """While the users work, every few seconds: the 1-minute load average,
    and the CPU time (user + system) of every process of the run: gunicorn's
    master and workers, the Celery pool, beat (by process group), and the
    PostgreSQL server processes serving the soak database (by their process
    title). Each process's last reading counts, so connections that close
    during the run (CONN_MAX_AGE) are counted up to a few seconds before."""

    def __init__(self, processes: list[subprocess.Popen], every: float = 5.0) -> None:
        self.load: list[float] = []
        self.groups = dict(
            zip((p.pid for p in processes), ("gunicorn", "worker", "beat"), strict=True)
        )
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _scan(self) -> dict[int, tuple[str, float]]:
        tick = os.sysconf("SC_CLK_TCK")
        title = f" {DATABASE_NAME} ".encode()
        found = {}
        for folder in Path("/proc").glob("[0-9]*"):
            try:
                fields = (folder / "stat").read_text().rpartition(")")[2].split()
                name = self.groups.get(int(fields[2]))
                if name is None:
                    command = (folder / "cmdline").read_bytes()
                    if not (command.startswith(b"postgres:") and title in command):
                        continue
                    name = "postgres"
            except (OSError, ValueError):
                continue  # the process ended meanwhile
            found[int(folder.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)
        return found

    def _sample(self) -> None:
        self.load.append(os.getloadavg()[0])
        self.last.update(self._scan())

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            self._sample()

    def __enter__(self) -> Sampler:
        self.first = {pid: cpu for pid, (_name, cpu) in self._scan().items()}
        self._sample()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        self._sample()

    def cpu_seconds(self) -> dict[str, float]:
        used = dict.fromkeys([*self.groups.values(), "postgres"], 0.0)
        for pid, (name, cpu) in self.last.items():
            used[name] += cpu - self.first.get(pid, 0.0)
        return {name: round(seconds, 1) for name, seconds in used.items()}


def _drive(plan: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        plan_path = Path(folder) / "plan.json"
        results_path = Path(folder) / "results.json"
        plan_path.write_text(json.dumps(plan))
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "soak_users.py"),
                plan_path,
                results_path,
            ],
            check=True,
            timeout=plan["seconds"] + plan["ramp"] + 300,
        )
        return json.loads(results_path.read_text())


def _drain(tenant: Any) -> float:
    """Wait until the queues are empty, nothing is stale and every webhook
    delivery is settled (twice in a row); returns the seconds it took."""
    import redis

    from accounts.scoping import tenant_scope
    from integrations.webhooks.models import OPEN_STATUSES, WebhookDelivery
    from poortwachter.models import CaseTimeline

    client = redis.Redis.from_url(REDIS_URL)
    start = time.monotonic()
    quiet = 0
    while time.monotonic() - start < DRAIN_SECONDS:
        queued = sum(client.llen(q) for q in QUEUES) + client.hlen("unacked")
        with tenant_scope(tenant):
            busy = (
                queued
                + CaseTimeline.objects.filter(stale=True).count()
                + WebhookDelivery.objects.filter(status__in=OPEN_STATUSES).count()
            )
        quiet = quiet + 1 if busy == 0 else 0
        if quiet >= 2:
            break
        time.sleep(2)
    return time.monotonic() - start


def _log_errors() -> list[str]:
    found = []
    for name in ("gunicorn", "worker", "beat"):
        path = WORKDIR / f"{name}.log"
        if path.exists():
            for line in path.read_text(errors="replace").splitlines():
                if LOG_ERROR.search(line):
                    found.append(f"{name}: {line.strip()[:200]}")
    return found


def _snapshot(
    tenant: Any,
    started_at: dt.datetime,
    actions: Actions,
    mails: Counter[str],
    received: Counter[str],
) -> Snapshot:
    from accounts.scoping import tenant_scope
    from cases.models import AbsenceCase, CaseStatus, WorkabilityChange
    from documents.models import Document
    from integrations.notifications.models import NotificationSent
    from integrations.webhooks.models import EventType, WebhookDelivery
    from integrations.webhooks.payloads import event_id_for
    from poortwachter.models import CaseTimeline, Task
    from poortwachter.rules import ALL_MILESTONES, RULES_VERSION, RulesInputError
    from poortwachter.services import chain_timeline

    creates_task = {m.code for m in ALL_MILESTONES if m.creates_task}
    with tenant_scope(tenant):
        rows = list(
            AbsenceCase.objects.values_list(
                "pk",
                "employee_id",
                "status",
                "first_sick_day",
                "recovery_date",
                "reported_at",
                "previous_case_id",
            )
        )
        previous = {row[0]: row[6] for row in rows}

        def root_of(case_id: int) -> int:
            while previous.get(case_id):
                case_id = previous[case_id]
            return case_id

        cases = {
            pk: CaseRow(
                employee_id=employee,
                status=status,
                first_sick_day=first.isoformat(),
                recovery_date=recovery.isoformat() if recovery else None,
                created_in_soak=reported_at >= started_at,
                root_id=root_of(pk),
            )
            for pk, employee, status, first, recovery, reported_at, _ in rows
        }
        changes: dict[int, list[tuple[str, int]]] = {}
        expected_events: dict[str, str] = {}
        for change_id, case_id, day, unfit in WorkabilityChange.objects.filter(
            case__reported_at__gte=started_at
        ).values_list("pk", "case_id", "effective_date", "percentage_unfit"):
            changes.setdefault(case_id, []).append((day.isoformat(), unfit))
            if unfit < 100:
                kind = (
                    EventType.CASE_RECOVERED
                    if unfit == 0
                    else EventType.CASE_PARTIALLY_RECOVERED
                )
                expected_events[f"{kind}:{change_id}"] = str(
                    event_id_for(f"{kind}:{change_id}")
                )
        for item in actions.reports:
            if item.get("ok"):
                key = f"{EventType.CASE_CREATED}:{item['case']}"
                expected_events[key] = str(event_id_for(key))
        completed = [c["task"] for c in actions.completions if c.get("ok")]
        for task in completed:
            key = f"{EventType.TASK_COMPLETED}:{task}"
            expected_events[key] = str(event_id_for(key))
        timeline_rows = CaseTimeline.objects.values_list(
            "case_id", "stale", "error", "rules_version", "closed_on"
        )
        timelines = {
            case_id: TimelineRow(
                stale=stale,
                error=error,
                rules_version=version,
                closed_on=closed.isoformat() if closed else None,
            )
            for case_id, stale, error, version, closed in timeline_rows
        }
        expected_legal: dict[int, set[str]] = {}
        open_roots = {r.root_id for r in cases.values() if r.status == CaseStatus.OPEN}
        for case in AbsenceCase.objects.filter(pk__in=open_roots).select_related(
            "employee"
        ):
            try:
                _chain, timeline = chain_timeline(case=case)
            except RulesInputError:
                continue  # the refresh records the error on the timeline
            expected_legal[case.pk] = {
                m.code
                for m in timeline.milestones
                if m.applies and m.code in creates_task
            }
        deliveries: dict[str, list[str]] = {}
        for event_id, status in WebhookDelivery.objects.values_list(
            "event__event_id", "status"
        ):
            deliveries.setdefault(str(event_id), []).append(status)
        return Snapshot(
            cases=cases,
            changes=changes,
            task_keys=list(
                Task.objects.values_list("case_id", "source", "key", "round")
            ),
            tasks={
                pk: (status, email)
                for pk, status, email in Task.objects.filter(
                    pk__in=completed + [c["task"] for c in actions.completions]
                ).values_list("pk", "status", "completed_by__email")
            },
            timelines=timelines,
            expected_legal=expected_legal,
            rules_version=RULES_VERSION,
            notifications=list(
                NotificationSent.objects.values_list("key", "recipient")
            ),
            mails=Counter({k.lower(): v for k, v in mails.items()}),
            deliveries=deliveries,
            received=Counter({k: v for k, v in received.items() if k}),
            expected_events=expected_events,
            documents=dict(Document.objects.values_list("pk", "sha256")),
            log_errors=_log_errors(),
            other_mails=_invitation_mails(),
        )


def _invitation_mails() -> Counter[str]:
    """Questionnaire invitations and reminders the database says went out."""
    from triage.models import Invitation

    mails: Counter[str] = Counter()
    for email, reminders in Invitation.objects.exclude(
        case__employee__email=""
    ).values_list("case__employee__email", "reminders_sent"):
        mails[email.lower()] += 1 + reminders
    return mails


def _print_table(summary: dict[str, dict[str, Any]]) -> None:
    print(
        f"{'request':<24}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}  statuses"
    )
    for kind, row in summary.items():
        statuses = " ".join(f"{k}:{v}" for k, v in row["statuses"].items())
        print(
            f"{kind:<24}{row['count']:>8}{row['errors']:>8}{row['p50_ms']:>9.1f}"
            f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}  "
            f"{statuses}"
        )


LOGIN_KINDS = ("login_page", "login", "login_redirect", "login_otp")


def _prepare(
    port: int, mail_sink: MailSink, receiver: WebhookReceiver
) -> tuple[Any, dict[str, Any], bool]:
    """A fresh database with the tenant; returns it, the users' plan and
    whether the users have TOTP devices."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    start = time.perf_counter()
    _recreate_database()
    _setup_django(_app_environment(port, mail_sink.server_address[1]))
    from django.core.management import call_command
    from django.db import connections

    from accounts.models import Tenant

    call_command("migrate", verbosity=0)
    report(
        "setup: database created and migrated", f"{time.perf_counter() - start:.1f} s"
    )
    seeded = _seed(f"http://127.0.0.1:{receiver.server_address[1]}/hervat")
    connections.close_all()
    # Work the seed enqueued (mails about documents signed before any
    # endpoint or reader existed) is not part of the run.
    redis.Redis.from_url(REDIS_URL).flushdb()
    plan = {
        "base": f"http://127.0.0.1:{port}",
        "tenant": seeded["tenant"],
        "seconds": SECONDS,
        "think": THINK_SECONDS,
        "ramp": RAMP_SECONDS,
        "timeout": TIMEOUT_SECONDS,
        "users": [
            {
                **user,
                "password": seeded["passwords"],
                "totp_key": seeded["totp_keys"].get(user["email"]),
            }
            for user in seeded["users"]
        ],
    }
    plan["hash_seconds"] = seeded["hash_seconds"]
    plan["database_url"] = _app_role_url()
    return Tenant.objects.get(slug=TENANT), plan, bool(seeded["totp_keys"])


def _figures(
    results: dict[str, Any],
    actions: Actions,
    side_effects: dict[str, Any],
    cpu: dict[str, float],
    load: list[float],
) -> dict[str, Any]:
    samples = results["samples"]
    ramp = results["ramp"]
    work = [s for s in samples if s[1] not in LOGIN_KINDS]
    steady = [s for s in work if s[0] >= ramp]
    steady_seconds = max(1.0, results["seconds"] - ramp)

    def percentiles(rows: list) -> dict[str, Any]:
        summary = latency_summary([(0, "x", s[2], 200, True) for s in rows])
        return {k: summary.get("x", {}).get(f"{k}_ms") for k in ("p50", "p95", "p99")}

    return {
        "requests": len(samples),
        "errors": results["error_count"] + results["hung_users"],
        "throughput_rps": round(len(samples) / results["seconds"], 1),
        "work_ms": percentiles(work),
        "steady_rps": round(len(steady) / steady_seconds, 1),
        "steady_work_ms": percentiles(steady),
        "ziekmeldingen": sum(1 for r in actions.reports if r.get("ok")),
        "recoveries": sum(1 for r in actions.recoveries if r.get("ok")),
        "tasks_completed": sum(1 for r in actions.completions if r.get("ok")),
        "pdf_downloads": len(actions.downloads),
        **side_effects,
        "cpu_seconds": cpu,
        "cpu_ms_per_request": {
            name: round(1000 * seconds / max(1, len(samples)), 1)
            for name, seconds in cpu.items()
        },
        # The web server's CPU without the logins' password hashes (PBKDF2,
        # timed once in the seeding process), per request after login.
        "web_cpu_ms_per_work_request": round(
            1000
            * max(0.0, cpu["gunicorn"] - results["logins"] * results["hash_seconds"])
            / max(1, len(work)),
            1,
        ),
        "load_average_1min": {
            "min": round(min(load), 2),
            "mean": round(sum(load) / len(load), 2),
            "max": round(max(load), 2),
        },
    }


def _print_figures(
    figures: dict[str, Any], results: dict[str, Any], problems: list[str]
) -> None:
    print()
    _print_table(latency_summary(results["samples"]))
    print()
    work, steady = figures["work_ms"], figures["steady_work_ms"]
    report(
        "requests (all kinds, incl. logins)",
        f"{figures['requests']:,}",
        f"{figures['errors']} errors; {figures['throughput_rps']} req/s over "
        f"{results['seconds']:.0f} s incl. {results['ramp']:.0f} s ramp-up",
    )
    report(
        f"all {USERS} at work (after ramp-up): throughput",
        f"{figures['steady_rps']} req/s",
        f"p50 {steady['p50']} / p95 {steady['p95']} / p99 {steady['p99']} ms",
    )
    report(
        "all work after login: p50 / p95 / p99",
        f"{work['p50']} / {work['p95']} / {work['p99']} ms",
    )
    report(
        "done by the users",
        f"{figures['ziekmeldingen']} ziek",
        f"{figures['recoveries']} hersteld, {figures['tasks_completed']} tasks "
        f"completed, {figures['pdf_downloads']} PDFs",
    )
    report(
        "side effects",
        f"{figures['mails']} mails",
        f"{figures['webhooks_received']} webhooks received; drained in "
        f"{figures['drain_seconds']} s",
    )
    cpu, per = figures["cpu_seconds"], figures["cpu_ms_per_request"]
    report(
        "CPU per request: web / Celery worker",
        f"{per['gunicorn']} / {per['worker']} ms",
        f"gunicorn {cpu['gunicorn']} s, worker {cpu['worker']} s, beat "
        f"{cpu['beat']} s, PostgreSQL {cpu['postgres']} s, virtual users "
        f"{cpu['virtual_users']} s",
    )
    report(
        "  web CPU per request after login, without hashing",
        f"{figures['web_cpu_ms_per_work_request']} ms",
        f"{results['logins']} logins x {results['hash_seconds']:.2f} s PBKDF2 "
        "taken off",
    )
    load = figures["load_average_1min"]
    report(
        "load average (1 min) during the run",
        f"{load['mean']}",
        f"min {load['min']}, max {load['max']} on {os.cpu_count()} cores",
    )
    for error in results["errors"][:10]:
        print(f"  error: {error}")
    if problems:
        print("Consistency check FAILED:")
        for problem in problems:
            print(f"  - {problem}")
    else:
        report("consistency check (database afterwards)", "passed")


def main() -> int:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    mail_sink, receiver = MailSink(), WebhookReceiver()
    _serve(mail_sink)
    _serve(receiver)
    port = _free_port()
    env = {**os.environ, **_app_environment(port, mail_sink.server_address[1])}
    counts = _role_counts(USERS)
    print(
        f"Hervat soak: {USERS} users ({counts['leidinggevende']} leidinggevende, "
        f"{counts['casemanager']} casemanager, {counts['hr']} hr), {SECONDS} s "
        f"after a {RAMP_SECONDS:.0f} s ramp-up, think {THINK_SECONDS:.1f} s, "
        f"gunicorn {GUNICORN_WORKERS}x{GUNICORN_THREADS} gthread, celery -c "
        f"{CELERY_CONCURRENCY}, {os.cpu_count()} cores"
    )
    tenant, plan, two_factor = _prepare(port, mail_sink, receiver)
    app_url = plan.pop("database_url")
    if app_url:
        env["DATABASE_URL"] = app_url
    report(
        "setup: web, worker and beat connect as",
        APP_ROLE if app_url else "the owner",
        "no superuser, no BYPASSRLS, DML only" if app_url else "(may not create roles)",
    )
    import redis
    from django.db import connections
    from django.utils import timezone

    start = time.perf_counter()
    processes = _start_services(env, port)
    report(
        "setup: gunicorn, worker and beat started",
        f"{time.perf_counter() - start:.1f} s",
    )
    try:
        started_at = timezone.now()
        driver_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with Sampler(processes) as sampler:
            results = _drive(plan)
        driver_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        drained = _drain(tenant)
        actions = Actions.from_results(results)
        snapshot = _snapshot(
            tenant, started_at, actions, mail_sink.received, receiver.received
        )
    finally:
        _stop(processes)
        connections.close_all()
        redis.Redis.from_url(REDIS_URL).flushdb()
        mail_sink.shutdown()
        receiver.shutdown()

    cpu = sampler.cpu_seconds()
    cpu["virtual_users"] = round(
        driver_after.ru_utime
        + driver_after.ru_stime
        - driver_before.ru_utime
        - driver_before.ru_stime,
        1,
    )
    side_effects = {
        "mails": sum(mail_sink.received.values()),
        "webhooks_received": sum(receiver.received.values()),
        "drain_seconds": round(drained, 1),
    }
    results["hash_seconds"] = plan["hash_seconds"]
    results["logins"] = sum(1 for s in results["samples"] if s[1] == "login")
    figures = _figures(results, actions, side_effects, cpu, sampler.load)
    problems = consistency_problems(actions, snapshot)
    _print_figures(figures, results, problems)
    RESULT_FILE.write_text(
        json.dumps(
            {
                "config": {
                    "users": USERS,
                    "roles": counts,
                    "seconds": SECONDS,
                    "ramp_seconds": RAMP_SECONDS,
                    "think_seconds": THINK_SECONDS,
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} "
                    "threads (gthread)",
                    "celery_concurrency": CELERY_CONCURRENCY,
                    "employees": EMPLOYEES,
                    "open_cases": OPEN_CASES,
                    "signed_documents": SIGNED_DOCUMENTS,
                    "cores": os.cpu_count(),
                    "two_factor": two_factor,
                    "app_database_role": APP_ROLE if app_url else "owner",
                },
                "figures": figures,
                "per_kind": latency_summary(results["samples"]),
                "per_minute": per_minute(results["samples"]),
                "errors": results["errors"],
                "consistency_problems": problems,
            },
            indent=2,
        )
    )
    print(f"Results: {RESULT_FILE.relative_to(ROOT)}")
    return 1 if figures["errors"] or problems else 0


if __name__ == "__main__":
    sys.exit(main())
