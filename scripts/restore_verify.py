"""Part of the restore drill (scripts/restore_drill.sh): the app against a
restored database, in one process (each Django start costs seconds).

    DATABASE_URL=postgres://.../hervat_restore_drill .venv/bin/python \
        scripts/restore_verify.py

1. ``manage.py migrate --check``: exits 1 when the code has migrations the
   restored schema lacks; prints how many are applied (``showmigrations``).
2. Finds every ``EncryptedTextField`` (BSN, medical notes, webhook secrets,
   ...), reads up to ``RESTORE_VERIFY_SAMPLE`` stored values of each (default
   1000) and decrypts them with this environment's FIELD_ENCRYPTION_KEYS.
   Prints one line per column; exits 1 when any value does not decrypt,
   which is what happens when the keys of the backup are lost. Reads the
   tables directly (no tenant scope): it only proves readability.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from core.crypto import decrypt_text
    from core.fields import EncryptedTextField

    try:
        call_command("migrate", check_unapplied=True, interactive=False, verbosity=0)
    except SystemExit:
        print("verify: migrate --check: the code has migrations the copy lacks")
        return 1
    applied = MigrationRecorder(connection).migration_qs.count()
    print(f"verify: migrations: {applied} applied, none missing")

    sample = int(os.environ.get("RESTORE_VERIFY_SAMPLE", "1000"))
    quote = connection.ops.quote_name
    failed = 0
    total = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            table, column = quote(model._meta.db_table), quote(field.column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {column} FROM {table} "  # noqa: S608 - quoted names
                    f"WHERE {column} <> '' ORDER BY 1 LIMIT %s",
                    [sample],
                )
                tokens = [row[0] for row in cursor.fetchall()]
            bad = 0
            for token in tokens:
                try:
                    decrypt_text(token)
                except ImproperlyConfigured:
                    bad += 1
            total += len(tokens)
            failed += bad
            label = f"{model._meta.label}.{field.name}"
            state = f"{bad} do NOT decrypt" if bad else "all decrypt"
            print(f"verify: {label}: {len(tokens)} values read, {state}")
    print(f"verify: {total} encrypted values checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
