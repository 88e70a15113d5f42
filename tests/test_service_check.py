"""`make test` stops with one clear line when PostgreSQL or Redis is down."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pytest_with(**env):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_weasyprint.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_unreachable_postgres_stops_the_run_with_a_hint():
    result = _pytest_with(DATABASE_URL="postgres://postgres@127.0.0.1:1/hervat")
    assert result.returncode == 3
    lines = [line for line in result.stdout.splitlines() if "PostgreSQL" in line]
    assert len(lines) == 1
    assert "127.0.0.1:1" in lines[0]
    assert "pg_ctlcluster" in lines[0]
    assert "passed" not in result.stdout


def test_unreachable_redis_stops_the_run_with_a_hint():
    result = _pytest_with(REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 3
    assert "Redis is not reachable at redis://127.0.0.1:1/0" in result.stdout
