"""`make demo`'s data: seed_demo on SQLite is idempotent and every login works.

Runs the real commands in subprocesses against a throw-away SQLite file, the
way `make demo` does.
"""

import json
import os
import subprocess
import sys
from decimal import Decimal
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

# The statistics of the demo employer as its HR user sees them on SQLite: a
# closed year (computed, stored as a snapshot, then read back) and a custom
# period, the CSV export and the PDF report.
STATISTICS_CHECK = """
import json
from datetime import timedelta
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone
from django.utils.translation import activate
from accounts.models import User
from analytics.presentation import number
from tests.fixtures import verified_login
activate("nl")  # the language of the pages (the figures' decimal comma)
setup_test_environment()  # response.context, as in the test suite
client = verified_login(Client(), User.objects.get(email="hr@arbo-noord.example"))
index = client.get("/t/arbo-noord/statistieken/")
employer = index.context["employers"][0]
base = f"/t/arbo-noord/statistieken/werkgevers/{employer.pk}/"
today = timezone.localdate()
custom = {"kind": "custom", "start": (today - timedelta(days=500)).isoformat(),
          "end": (today - timedelta(days=30)).isoformat()}
closed_year = {"kind": "year", "year": today.year - 1}
pages = {}
for name, query in (("year", closed_year), ("year_again", closed_year),
                    ("custom", custom)):
    response = client.get(base, query)
    figures = response.context["dashboard"]
    vp, duur = figures.verzuimpercentage, figures.verzuimduur
    pages[name] = {
        "status": response.status_code,
        "vp": str(vp.percentage),
        "vp_shown": f"= {number(vp.percentage)}%" in response.content.decode(),
        "vp_excl": str(vp.percentage_excl_pregnancy),
        "trend_months": len(figures.trend),
        "reports": figures.meldingsfrequentie.reports,
        "ended": duur.ended_cases,
        "classes": sum(c.cases for c in duur.classes),
        "nulverzuim": str(figures.nulverzuim.percentage),
        "milestones_due": sum(m.due for m in figures.compliance.milestones),
    }
csv = client.get(base + "export/", {**custom, "format": "csv", "figure": "duurklassen"})
pdf = client.get(base + "rapport/", {"year": today.year - 1, "month": 12})
print("RESULT" + json.dumps({
    "pages": pages,
    "csv": [csv.status_code, csv.content.decode("utf-8-sig").count("\\n")],
    "pdf": [pdf.status_code, pdf.content[:5].decode()],
}))
"""


@pytest.fixture(scope="module")
def seeded_env(tmp_path_factory):
    """The environment of a migrated and seeded demo database, and what the
    first seed_demo printed."""
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
    return env, _manage(env, "seed_demo").stdout


@pytest.fixture(scope="module")
def demo_env(seeded_env):
    env, first_output = seeded_env
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


def _state(env, check=CHECK):
    out = _manage(env, "shell", "-c", check).stdout
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


def test_demo_statistics_on_sqlite(seeded_env):
    env, _ = seeded_env
    result = _state(env, STATISTICS_CHECK)
    pages = result["pages"]
    assert {page["status"] for page in pages.values()} == {200}
    year, custom = pages["year"], pages["custom"]
    # Read back from its snapshot, the closed year shows the same figures.
    assert pages["year_again"] == year
    assert year["trend_months"] == 12
    for figures in (year, custom):
        assert Decimal(figures["vp"]) > 0
        assert figures["vp_shown"]
        assert Decimal(figures["vp_excl"]) <= Decimal(figures["vp"])
        assert figures["reports"] > 0
        assert figures["ended"] > 0
        assert figures["classes"] == figures["ended"]
        assert Decimal(figures["nulverzuim"]) < 100
    assert result["csv"][0] == 200
    assert result["csv"][1] >= 5  # a header and the four duration classes
    assert result["pdf"] == [200, "%PDF-"]
