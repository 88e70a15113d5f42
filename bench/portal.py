"""Portal under load: the task queue and the ziekmelding against a real
gunicorn on loopback, p50/p95 at 1, 10 and 20 concurrent users.

    make bench                  # runs bench/run.py first, which fills the data
    .venv/bin/python bench/portal.py

Uses the ``hervat_bench`` database that ``bench/run.py`` filled (its tasks are
the queue's haystack); adds a casemanager with 2,000 own tasks and fresh
employees to report sick. Bounded: a fixed number of requests per level.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import _bench_database_url, _setup_django, report  # noqa: E402

PORT = 8765
LEVELS = (1, 10, 20)
REQUESTS_PER_LEVEL = int(os.environ.get("BENCH_PORTAL_REQUESTS", "200"))
# A case manager working the queue: about one request a second, which is
# already brisk for a person. With no think time, 20 users on 2 cores only
# measure the machine's throughput (see the saturation lines).
THINK_SECONDS = float(os.environ.get("BENCH_THINK_SECONDS", "1.0"))
# Load runs: one at 1 user, a saturated and a thinking one at every other level.
RUNS = 1 + 2 * (len(LEVELS) - 1)
BROKER = "redis://127.0.0.1:6379/15"


def _prepare() -> tuple[str, list[int]]:
    from django.db import connection
    from django.test import Client

    from accounts.models import Membership, Role, Tenant, User
    from accounts.scoping import tenant_scope
    from cases.models import Employee, Employer
    from poortwachter.models import Task
    from tests.fixtures import verified_login

    tenant = Tenant.objects.get(slug="bench")
    user = User.objects.filter(email="casemanager@bench.example").first()
    if user is None:
        user = User.objects.create_user("casemanager@bench.example", "bench-pass-1")
    with tenant_scope(tenant):
        membership, _ = Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": Role.CASEMANAGER}
        )
        employers = list(Employer.objects.all())
        membership.employers.set(employers)
        mine = list(
            Task.objects.filter(status="open").values_list("pk", flat=True)[:2000]
        )
        Task.objects.filter(pk__in=mine).update(assignee=user)
        target = employers[0]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO cases_employee (tenant_id, employer_id, personnel_number,
                    initials, first_name, surname_prefix, surname, birth_name, bsn,
                    email, phone, preferred_language, job_title, job_description,
                    employment_start, vangnet_category, manager_id)
                SELECT %s, %s, 'Z' || i || '-' || %s, 'Z.', '', '', 'Ziek ' || i, '',
                    '', '', '', 'nl', '', '', DATE '2015-01-01', '', NULL
                FROM generate_series(1, %s) AS i
                """,
                [tenant.pk, target.pk, int(time.time()), RUNS * REQUESTS_PER_LEVEL],
            )
        fresh = list(
            Employee.objects.filter(cases__isnull=True, surname__startswith="Ziek ")
            .order_by("-pk")
            .values_list("pk", flat=True)[: RUNS * REQUESTS_PER_LEVEL]
        )
    client = verified_login(Client(), user)
    return client.cookies["sessionid"].value, fresh


def _server() -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _bench_database_url(),
        "DEBUG": "0",
        # the same keys as the process that made the session and the data
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": BROKER,
        "LOG_LEVEL": "WARNING",
        # gunicorn speaks plain http here; production sits behind TLS.
        "SECURE_SSL_REDIRECT": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


Request = Callable[[http.client.HTTPConnection, int], int]


def _load(
    users: int, requests: int, make_request: Request, think: float = 0.0
) -> list[float]:
    """``requests`` requests spread over ``users`` threads with keep-alive.

    ``think`` is each user's mean pause between two requests (exponential,
    seeded): 0 is a saturation test (every user fires the next request the
    moment the last one returns), a positive value models people at work.
    """
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while True:
            if think:
                time.sleep(rng.expovariate(1 / think))
            with lock:
                n = next(counter, None)
            if n is None:
                break
            start = time.perf_counter()
            status = make_request(conn, n)
            elapsed = time.perf_counter() - start
            if status >= 400:
                raise SystemExit(f"request failed with {status}")
            with lock:
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return latencies


def _get(path: str, cookie: str) -> Request:
    def request(conn: http.client.HTTPConnection, n: int) -> int:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        return response.status

    return request


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def _ms(values: list[float]) -> str:
    p50 = statistics.median(values) * 1000
    return f"p50 {p50:6.1f} ms  p95 {_p95(values):6.1f} ms"


def main() -> None:
    _setup_django()
    import redis

    session, fresh = _prepare()
    cookie = f"sessionid={session}"
    server = _server()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        conn.request("GET", "/t/bench/ziekmelden/", headers={"Cookie": cookie})
        page = conn.getresponse()
        html = page.read().decode()
        csrf_cookie = re.search(
            r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or ""
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not (csrf_cookie and token):
            raise SystemExit("could not read the CSRF token of the ziekmelding form")
        post_cookie = f"{cookie}; csrftoken={csrf_cookie.group(1)}"
        today = time.strftime("%Y-%m-%d")
        pool = iter(fresh)
        pool_lock = threading.Lock()

        def ziekmelding(conn: http.client.HTTPConnection, n: int) -> int:
            with pool_lock:
                employee = next(pool)
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "employee": employee,
                    "first_sick_day": today,
                    "expected_duration": "unknown",
                    "accident_or_third_party": "False",
                    "work_possible": "False",
                }
            )
            conn.request(
                "POST",
                "/t/bench/ziekmelden/",
                body=body,
                headers={
                    "Cookie": post_cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{PORT}/t/bench/ziekmelden/",
                },
            )
            response = conn.getresponse()
            response.read()
            return 500 if response.status != 302 else response.status

        print(
            f"Portal under load: gunicorn 4 workers on 127.0.0.1:{PORT}, "
            f"{REQUESTS_PER_LEVEL} requests per level"
        )
        queue_path = "/t/bench/taken/?bak=later"
        for users in LEVELS:
            for think in (0.0, THINK_SECONDS) if users > 1 else (0.0,):
                mode = f"think {think:.1f} s" if think else "saturation"
                floor = _load(
                    users, REQUESTS_PER_LEVEL, _get("/accounts/login/", cookie), think
                )
                queue = _load(
                    users, REQUESTS_PER_LEVEL, _get(queue_path, cookie), think
                )
                submit = _load(users, REQUESTS_PER_LEVEL, ziekmelding, think)
                label = f"{users:>2} users, {mode}:"
                report(f"{label} floor (login page, no query)", _ms(floor), "")
                report(
                    f"{label} task queue (own tasks, big tenant)",
                    _ms(queue),
                    f"{_p95(queue) / _p95(floor):.1f}x floor p95; "
                    "target p95 <= 100 ms at 20",
                )
                report(
                    f"{label} ziekmelding submit",
                    _ms(submit),
                    f"{_p95(submit) / _p95(floor):.1f}x floor p95; "
                    "target p95 <= 150 ms",
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.Redis.from_url(BROKER).flushdb()


if __name__ == "__main__":
    main()
