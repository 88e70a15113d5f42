"""The figures on SQLite, the database of the embedded demo (``make demo``).

The selectors are one SQL text per figure, written for both databases
(``analytics.dialect``). The suite runs on PostgreSQL; this test runs the
hand-computed figure tests (and the compliance and dashboard tests) once more
in a separate pytest process on an SQLite database, so each expectation holds
on both. Left out there: the test that rows of another tenant stay invisible,
which is PostgreSQL's row-level security (SQLite has none; the demo runs on
one machine with its own demo data).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = (
    "analytics/tests/test_selectors.py",
    "analytics/tests/test_compliance.py",
    "analytics/tests/test_dashboard.py",
)
ROW_LEVEL_SECURITY = (
    "analytics/tests/test_selectors.py::test_other_employers_and_tenants_never_count"
)


def test_the_figure_tests_pass_on_sqlite():
    # The test database is then an in-memory SQLite database of its own.
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite:///:memory:",
        "PYTEST_ADDOPTS": "",
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["--create-db", "--deselect", ROW_LEVEL_SECURITY, *TESTS]
    run = subprocess.run(  # noqa: S603 - this checkout's pytest, fixed arguments
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary
    assert "1 deselected" in summary, summary
