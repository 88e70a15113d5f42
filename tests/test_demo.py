"""`make demo`'s data: seed_demo on SQLite is idempotent and every login works.

Runs the real commands in subprocesses against a throw-away SQLite file, the
way `make demo` does.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json
from datetime import date, timedelta
import re
from base64 import b32decode
from django.test import Client
from django_otp.oath import TOTP
from poortwachter.management.commands.seed_demo import DEMO_TOTP_SECRET
from accounts.models import Membership, Tenant, User
from accounts.scoping import all_tenants
from cases.models import AbsenceCase, Employee, Employer
with all_tenants("demo check"):
    counts = {m.__name__: m.objects.count() for m in
              (Tenant, User, Membership, Employer, Employee, AbsenceCase)}
    counts["ended_before_this_year"] = AbsenceCase.objects.filter(
        recovery_date__lt=date.today() - timedelta(days=365)).count()
    counts["without_department"] = Employee.objects.filter(department="").count()
logins = {}
totp = TOTP(b32decode(DEMO_TOTP_SECRET))
for user in User.objects.filter(email__endswith=".example"):
    client = Client()
    # The real login form, then the authenticator code where one is asked.
    step = client.post("/accounts/login/",
                       {"username": user.email, "password": "hervat-demo"})
    assert step.status_code == 302, user.email
    asked = step["Location"].startswith("/accounts/2fa/controleren/")
    if asked:
        # An earlier check in this 30-second step spent the current code;
        # the app's next code is accepted too (one step of tolerance).
        for drift in (0, 1):
            totp.drift = drift
            answer = client.post(step["Location"], {"code": f"{totp.token():06d}"})
            if answer.status_code == 302:
                break
        assert answer.status_code == 302, user.email
    response = client.get("/", follow=True)
    logins[user.email] = [response.status_code, response.redirect_chain[-1][0]
                          if response.redirect_chain else "/", asked]
print("RESULT" + json.dumps({"counts": counts, "logins": logins}))
"""


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{db}",
        "CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "ALLOWED_HOSTS": "testserver",
    }
    _manage(env, "migrate", "--noinput", "-v0")
    first_output = _manage(env, "seed_demo").stdout
    after_first = _state(env)
    _manage(env, "seed_demo")
    return first_output, after_first, _state(env)


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


def _state(env):
    out = _manage(env, "shell", "-c", CHECK).stdout
    return json.loads(out.split("RESULT", 1)[1])


def test_seed_demo_twice_on_sqlite_creates_no_duplicates(demo_env):
    first, after_first, after_second = demo_env

    assert after_first["counts"] == after_second["counts"]
    counts = after_first["counts"]
    assert counts["Tenant"] == 2
    assert counts["Employer"] == 4
    assert counts["Employee"] >= 150
    # one case per stage, plus two periods less than four weeks apart, plus B,
    # plus three years of ended cases for the statistics
    assert counts["AbsenceCase"] >= 60
    assert counts["ended_before_this_year"] >= 20
    assert counts["without_department"] == 0
    for role in (
        "werknemer",
        "leidinggevende",
        "hr",
        "regiehouder",
        "casemanager",
        "bedrijfsarts",
        "tenant_admin",
    ):
        assert f"{role}@arbo-noord.example" in first
    assert "casemanager@verzuim-zuid.example" in first
    assert "hervat-demo" in first
    assert "HERVATDEMOHERVATDEMOHERVATDEMO22" in first
    # An API key for the REST API, shown by the run that made it only.
    assert "Authorization: Bearer hvk_" in first


def test_every_demo_login_reaches_its_home_page(demo_env):
    logins = demo_env[2]["logins"]
    assert len(logins) == 8
    for email, (status, landing, asked_code) in logins.items():
        assert status == 200, email
        # Everyone but the werknemer and the manager logs in with a code.
        needs_code = not email.startswith(("werknemer@", "leidinggevende@"))
        assert asked_code == needs_code, email
        tenant = email.split("@")[1].removesuffix(".example")
        assert landing.startswith(f"/t/{tenant}/"), email
