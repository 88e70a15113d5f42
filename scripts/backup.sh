#!/usr/bin/env bash
# Back up Hervat's PostgreSQL database: a pg_dump in custom format, a manifest
# of what it holds, a checksum file, optional encryption, and retention.
#
#   DATABASE_URL=postgres://user@host:5432/hervat scripts/backup.sh
#
# Environment:
#   DATABASE_URL          the database to dump (required)
#   BACKUP_DIR            where the files go (default ./backups)
#   BACKUP_KEEP           how many backups to keep, newest first (default 14)
#   BACKUP_ENCRYPT        none (default), gpg or age
#   BACKUP_GPG_RECIPIENT  gpg key (id or e-mail) to encrypt to, with BACKUP_ENCRYPT=gpg
#   BACKUP_AGE_RECIPIENT  age public key to encrypt to, with BACKUP_ENCRYPT=age
#   BACKUP_LOCK_TIMEOUT   how long pg_dump waits for a table lock (default 120s)
#
# Files, named with the UTC time of the backup:
#   <db>-<YYYYmmddTHHMMSSZ>.dump[.gpg|.age]  pg_dump -Fc --no-owner
#   <db>-<...>.manifest  row count, row fingerprint and rows per tenant of
#                        every table, computed in the dump's own snapshot
#   <db>-<...>.sha256    sha256sum of the two files above
# scripts/restore_drill.sh restores a backup and compares it with its manifest.
#
# The dump holds personal data: BSNs and medical text are encrypted in the
# database (FIELD_ENCRYPTION_KEYS, which are NOT in the dump), everything
# else is plain. Store dumps encrypted (BACKUP_ENCRYPT or encrypted storage)
# and keep the encryption keys in a separate place: see docs/security/backups.md.
#
# Run it as a role that sees every row (superuser or BYPASSRLS), or row-level
# security would leave rows out; pg_dump refuses in that case.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
BACKUP_DIR="${BACKUP_DIR:-./backups}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
BACKUP_ENCRYPT="${BACKUP_ENCRYPT:-none}"
BACKUP_LOCK_TIMEOUT="${BACKUP_LOCK_TIMEOUT:-120s}"

log() { echo "backup: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

[[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP must be a number >= 1"
case "$BACKUP_ENCRYPT" in
  none) ;;
  gpg)
    command -v gpg >/dev/null || fail "BACKUP_ENCRYPT=gpg but gpg is not installed"
    [[ -n "${BACKUP_GPG_RECIPIENT:-}" ]] || fail "set BACKUP_GPG_RECIPIENT" ;;
  age)
    command -v age >/dev/null || fail "BACKUP_ENCRYPT=age but age is not installed"
    [[ -n "${BACKUP_AGE_RECIPIENT:-}" ]] || fail "set BACKUP_AGE_RECIPIENT" ;;
  *) fail "BACKUP_ENCRYPT must be none, gpg or age" ;;
esac

# postgres://user:pw@host:port/name?options -> name
database="${DATABASE_URL%%\?*}"
database="${database##*/}"
[[ -n "$database" ]] || fail "DATABASE_URL names no database"

mkdir -p "$BACKUP_DIR"
umask 077
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
while [[ -e "$BACKUP_DIR/${database}-${stamp}.sha256" ]]; do  # one per second
  sleep 0.2
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
done
name="${database}-${stamp}"
work="$(mktemp -d "${BACKUP_DIR}/.${name}.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# One snapshot for the dump and the manifest: a psql session exports it and
# stays open (REPEATABLE READ) while pg_dump and the manifest read from it.
coproc PSQL { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 2>&1; }
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" \
  >&"${PSQL[1]}"
read -r -t 60 snapshot <&"${PSQL[0]}" || fail "could not open a snapshot"
[[ "$snapshot" =~ ^[0-9A-F-]+$ ]] || fail "could not open a snapshot: $snapshot"

log "dumping $database (snapshot $snapshot)"
start=$SECONDS
pg_dump "$DATABASE_URL" --format=custom --no-owner --snapshot="$snapshot" \
  --lock-wait-timeout="$BACKUP_LOCK_TIMEOUT" --file="$work/$name.dump" \
  || fail "pg_dump failed"

printf '\\i %s\n\\echo __END__\n' "$here/_manifest.sql" >&"${PSQL[1]}"
: > "$work/$name.manifest"
while IFS= read -r -t 600 line <&"${PSQL[0]}"; do
  [[ "$line" == "__END__" ]] && break
  [[ "$line" == *ERROR* ]] && fail "manifest: $line"
  printf '%s\n' "$line" >> "$work/$name.manifest"
done
[[ "$line" == "__END__" ]] || fail "manifest query did not finish"
echo "COMMIT;" >&"${PSQL[1]}"
exec {PSQL[1]}>&-
wait "$PSQL_PID" 2>/dev/null || true

dump="$name.dump"
case "$BACKUP_ENCRYPT" in
  gpg)
    gpg --batch --yes --trust-model always --recipient "$BACKUP_GPG_RECIPIENT" \
      --output "$work/$dump.gpg" --encrypt "$work/$dump" || fail "gpg failed"
    rm -f "$work/$dump"
    dump="$dump.gpg" ;;
  age)
    age --recipient "$BACKUP_AGE_RECIPIENT" --output "$work/$dump.age" "$work/$dump" \
      || fail "age failed"
    rm -f "$work/$dump"
    dump="$dump.age" ;;
  none)
    log "WARNING: the dump is not encrypted; keep $BACKUP_DIR on encrypted storage" ;;
esac

(cd "$work" && sha256sum "$dump" "$name.manifest" > "$name.sha256")
# The checksum file goes last: a backup without one is incomplete.
mv "$work/$dump" "$work/$name.manifest" "$BACKUP_DIR/"
mv "$work/$name.sha256" "$BACKUP_DIR/"

size="$(du -h "$BACKUP_DIR/$dump" | cut -f1)"
tables="$(grep -c '^table' "$BACKUP_DIR/$name.manifest" || true)"
log "wrote $BACKUP_DIR/$dump ($size, $tables tables) in $((SECONDS - start)) s"

# Retention: keep the newest BACKUP_KEEP complete backups of this database.
mapfile -t sets < <(cd "$BACKUP_DIR" && ls -1 "${database}"-*.sha256 2>/dev/null | sort -r)
for old in "${sets[@]:$BACKUP_KEEP}"; do
  base="${old%.sha256}"
  log "retention: removing $base"
  rm -f "$BACKUP_DIR/$base".dump "$BACKUP_DIR/$base".dump.gpg \
    "$BACKUP_DIR/$base".dump.age "$BACKUP_DIR/$base".manifest "$BACKUP_DIR/$old"
done
echo "$BACKUP_DIR/$dump"
