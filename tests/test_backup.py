"""scripts/backup.sh and scripts/restore_drill.sh, end to end on the test
database: real pg_dump, pg_restore, a scratch database and the app's own
manage.py against it. The rows are committed (transactional test) so pg_dump
sees them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, Employee
from poortwachter.services import consult_record

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "scripts" / "backup.sh"
DRILL = ROOT / "scripts" / "restore_drill.sh"
BSN = "111222333"
MEDICAL = "Hernia L5, fysiotherapie (alleen voor de bedrijfsarts)"
OTHER_KEY = "b3RoZXIta2V5LW5vdC10aGUtYmFja3VwJ3Mta2V5ISE="

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    """The test database as its owner (``DATABASE_URL``'s role): backups run
    as a role that sees every row, never as the application's role, which
    row-level security may bind (docs/security/backups.md)."""
    owner = urlparse(settings.DATABASE_URL)
    return urlunparse(owner._replace(path=f"/{connection.settings_dict['NAME']}"))


def _env(backups: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "BACKUP_DIR": str(backups),
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "SECRET_KEY": settings.SECRET_KEY,
        "REDIS_URL": settings.REDIS_URL,
        **extra,
    }


def _run(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(script), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def committed(world, today):
    """The two-tenant world, plus a BSN and medical notes (both encrypted)."""
    with tenant_scope(world.tenant_a):
        Employee.objects.filter(pk=world.a1_employee.pk).update(bsn=BSN)
        consult_record(
            actor=world.user(Role.BEDRIJFSARTS),
            case=world.a3_case,
            held_on=world.a3_case.first_sick_day,
            kind="spreekuur",
            notes=MEDICAL,
        )
    return world


@pytest.fixture
def backup(committed, tmp_path):
    """One plain backup of the committed world: (folder, dump path)."""
    backups = tmp_path / "backups"
    done = _run(BACKUP, _env(backups))
    assert done.returncode == 0, done.stderr
    return backups, Path(done.stdout.strip())


def test_backup_writes_dump_manifest_and_checksum(committed, backup):
    backup_world = committed
    backups, dump = backup
    name = dump.name.removesuffix(".dump")
    assert dump.exists()
    assert sorted(p.name for p in backups.iterdir()) == [
        dump.name,
        f"{name}.manifest",
        f"{name}.sha256",
    ]
    database = connection.settings_dict["NAME"]
    assert name.startswith(f"{database}-") and name.endswith("Z")
    manifest = (backups / f"{name}.manifest").read_text().splitlines()
    counts = {
        line.split("\t")[1]: int(line.split("\t")[2])
        for line in manifest
        if line.startswith("table\t")
    }
    world = backup_world
    with tenant_scope(world.tenant_a):
        cases_a = AbsenceCase.objects.count()
    assert counts["public.cases_absencecase"] == cases_a + 1  # B has one case
    per_tenant = next(
        line.split("\t")[2]
        for line in manifest
        if line.startswith("tenant\tpublic.cases_absencecase\t")
    )
    assert per_tenant == f"{world.tenant_a.pk}:{cases_a},{world.tenant_b.pk}:1"
    # The personal data is in the dump only as ciphertext.
    data = subprocess.run(
        [shutil.which("pg_restore"), "--data-only", "--file=-", str(dump)],
        capture_output=True,
        check=True,
    ).stdout
    assert BSN.encode() not in data
    assert b"Hernia" not in data


def test_restore_drill_passes_and_encrypted_fields_decrypt(backup):
    backups, dump = backup
    drill = _run(DRILL, _env(backups))
    assert drill.returncode == 0, drill.stderr
    out = drill.stderr
    assert "checksums match" in out
    assert "manifest matches" in out
    assert "none missing" in out
    assert "cases.Employee.bsn: " in out and "all decrypt" in out
    assert "poortwachter.ConsultMedical.notes: 1 values read, all decrypt" in out
    assert f"PASSED: {dump.name}" in out
    # The scratch database is gone again.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s",
            [f"{connection.settings_dict['NAME']}_restore_drill"],
        )
        assert cursor.fetchone()[0] == 0


def test_restore_drill_refuses_a_damaged_or_incomplete_backup(backup):
    backups, dump = backup
    name = dump.name.removesuffix(".dump")
    whole = dump.read_bytes()
    dump.write_bytes(whole[: len(whole) // 2])  # a half-copied file

    drill = _run(DRILL, _env(backups))
    assert drill.returncode != 0
    assert "checksum mismatch" in drill.stderr

    # Even with a checksum made after the damage, the restore itself fails.
    (backups / f"{name}.sha256").write_text(
        "".join(
            f"{hashlib.sha256((backups / file).read_bytes()).hexdigest()}  {file}\n"
            for file in (dump.name, f"{name}.manifest")
        )
    )
    drill = _run(DRILL, _env(backups))
    assert drill.returncode != 0
    assert "pg_restore failed" in drill.stderr

    # A backup without its checksum file is incomplete.
    dump.write_bytes(whole)
    (backups / f"{name}.sha256").unlink()
    drill = _run(DRILL, _env(backups), str(dump))
    assert drill.returncode != 0
    assert "incomplete backup" in drill.stderr


def test_restore_drill_fails_without_the_encryption_keys(backup):
    """The keys are not in the dump: restoring with other keys is caught."""
    backups, _dump = backup
    drill = _run(DRILL, _env(backups, FIELD_ENCRYPTION_KEYS=OTHER_KEY))
    assert drill.returncode != 0
    assert "do NOT decrypt" in drill.stderr
    assert "the app cannot use the copy" in drill.stderr


def test_backup_keeps_only_the_newest(committed, tmp_path):
    backups = tmp_path / "backups"
    made = []
    for _ in range(3):
        done = _run(BACKUP, _env(backups, BACKUP_KEEP="2"))
        assert done.returncode == 0, done.stderr
        made.append(Path(done.stdout.strip()).name)
    kept = sorted(p.name for p in backups.glob("*.dump"))
    assert kept == sorted(made[1:])
    assert len(list(backups.glob("*.sha256"))) == 2
    assert len(list(backups.glob("*.manifest"))) == 2


def test_gpg_encrypted_backup_restores(committed, tmp_path):
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg_env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        [
            shutil.which("gpg"),
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Hervat backup <backup@hervat.test>",
            "default",
            "default",
            "never",
        ],
        env=gpg_env,
        capture_output=True,
        check=True,
    )
    backups = tmp_path / "backups"
    try:
        env = _env(
            backups,
            GNUPGHOME=str(home),
            BACKUP_ENCRYPT="gpg",
            BACKUP_GPG_RECIPIENT="backup@hervat.test",
        )
        done = _run(BACKUP, env)
        assert done.returncode == 0, done.stderr
        dump = Path(done.stdout.strip())
        assert dump.name.endswith(".dump.gpg")
        assert not list(backups.glob("*.dump"))
        assert b"PGDMP" not in dump.read_bytes()[:64]  # not a plain dump

        drill = _run(DRILL, env)
        assert drill.returncode == 0, drill.stderr
        assert "all decrypt" in drill.stderr
    finally:
        subprocess.run(
            [shutil.which("gpgconf"), "--kill", "all"], env=gpg_env, check=False
        )
