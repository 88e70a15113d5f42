#!/usr/bin/env bash
# Restore drill: prove that the latest backup (or the one named) restores into
# a working Hervat database, then throw the copy away.
#
#   DATABASE_URL=postgres://user@host:5432/hervat scripts/restore_drill.sh [DUMP]
#
# Steps, each of which fails the drill (non-zero exit):
#   1. the checksum file matches the dump and its manifest (truncated,
#      tampered or half-copied files stop here);
#   2. an encrypted dump (.gpg / .age) decrypts;
#   3. pg_restore loads it into a fresh scratch database in one transaction;
#   4. the scratch database's manifest (row count and row fingerprint of every
#      table, rows per tenant) equals the one written at backup time, and no
#      sequence is behind the ids in its table;
#   5. `manage.py migrate --check` finds no unapplied migration, and
#   6. the encrypted columns (BSN, medical text) decrypt with this
#      environment's FIELD_ENCRYPTION_KEYS (both in scripts/restore_verify.py).
# It also prints how far the live database (DATABASE_URL) has moved since the
# backup (for information: a live database keeps changing). The scratch
# database is dropped at the end unless KEEP_DRILL_DATABASE=1.
#
# Environment:
#   DATABASE_URL          the database the backup was taken of (required)
#   BACKUP_DIR            where backup.sh writes (default ./backups)
#   DRILL_DATABASE        scratch database name (default <db>_restore_drill)
#   PYTHON                the app's interpreter (default .venv/bin/python)
#   FIELD_ENCRYPTION_KEYS, SECRET_KEY, DJANGO_SETTINGS_MODULE: as for the app
#   BACKUP_AGE_IDENTITY   age identity file, for .age dumps
#   (gpg finds its secret key in GNUPGHOME, for .gpg dumps)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
: "${DATABASE_URL:?set DATABASE_URL to the database the backup was taken of}"
BACKUP_DIR="${BACKUP_DIR:-./backups}"
PYTHON="${PYTHON:-$root/.venv/bin/python}"

log() { echo "drill: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

base="${DATABASE_URL%%\?*}"
options="${DATABASE_URL:${#base}}"
database="${base##*/}"
url_for() { echo "${base%/*}/$1$options"; }
DRILL_DATABASE="${DRILL_DATABASE:-${database}_restore_drill}"
[[ "$DRILL_DATABASE" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail "bad DRILL_DATABASE"
[[ "$DRILL_DATABASE" != "$database" ]] || fail "the scratch database is the source"
admin_url="$(url_for postgres)"
drill_url="$(url_for "$DRILL_DATABASE")"

dump="${1:-}"
if [[ -z "$dump" ]]; then
  dump="$(cd "$BACKUP_DIR" 2>/dev/null && ls -1 "${database}"-*.sha256 2>/dev/null \
    | sort | tail -n1 || true)"
  [[ -n "$dump" ]] || fail "no backup of $database in $BACKUP_DIR"
  dump="$(ls -1 "$BACKUP_DIR/${dump%.sha256}".dump* 2>/dev/null | head -n1 || true)"
  [[ -n "$dump" ]] || fail "the latest checksum file has no dump next to it"
fi
[[ -f "$dump" ]] || fail "no such dump: $dump"
dir="$(cd "$(dirname "$dump")" && pwd)"
file="$(basename "$dump")"
name="${file%%.dump*}"
log "backup $dir/$file"

# 1. Checksums of the dump and its manifest.
[[ -f "$dir/$name.sha256" ]] || fail "no checksum file $name.sha256 (incomplete backup)"
[[ -f "$dir/$name.manifest" ]] || fail "no manifest $name.manifest (incomplete backup)"
grep -q " $file\$" "$dir/$name.sha256" || fail "$name.sha256 does not list $file"
(cd "$dir" && sha256sum --check --quiet --strict "$name.sha256") >&2 \
  || fail "checksum mismatch: the backup is damaged or was changed"
log "checksums match"

work="$(mktemp -d)"
created=0
cleanup() {
  rm -rf "$work"
  if [[ "$created" == 1 && "${KEEP_DRILL_DATABASE:-0}" != 1 ]]; then
    psql "$admin_url" -qAtX -c "DROP DATABASE IF EXISTS \"$DRILL_DATABASE\" WITH (FORCE)" \
      >/dev/null 2>&1 || log "could not drop $DRILL_DATABASE"
  fi
}
trap cleanup EXIT

# 2. Decrypt.
restore_from="$dir/$file"
case "$file" in
  *.dump.gpg)
    gpg --batch --quiet --output "$work/$name.dump" --decrypt "$dir/$file" \
      || fail "gpg could not decrypt $file (is the secret key in GNUPGHOME?)"
    restore_from="$work/$name.dump" ;;
  *.dump.age)
    : "${BACKUP_AGE_IDENTITY:?set BACKUP_AGE_IDENTITY to decrypt $file}"
    age --decrypt --identity "$BACKUP_AGE_IDENTITY" --output "$work/$name.dump" \
      "$dir/$file" || fail "age could not decrypt $file"
    restore_from="$work/$name.dump" ;;
  *.dump) ;;
  *) fail "not a dump: $file" ;;
esac

# 3. Restore into a fresh scratch database, all or nothing.
start=$SECONDS
psql "$admin_url" -qAtX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS \"$DRILL_DATABASE\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$DRILL_DATABASE\"" >/dev/null || fail "cannot create $DRILL_DATABASE"
created=1
pg_restore --dbname="$drill_url" --no-owner --no-privileges --exit-on-error \
  --single-transaction "$restore_from" 2> "$work/restore.log" \
  || { cat "$work/restore.log" >&2; fail "pg_restore failed"; }
log "restored into $DRILL_DATABASE in $((SECONDS - start)) s"

# 4. Same rows as at backup time, sequences ahead of their ids.
psql "$drill_url" -qAtX -v ON_ERROR_STOP=1 -f "$here/_manifest.sql" > "$work/restored.manifest" \
  || fail "manifest of the restored database failed"
if ! diff -u "$dir/$name.manifest" "$work/restored.manifest" > "$work/manifest.diff"; then
  head -n 40 "$work/manifest.diff" >&2
  fail "the restored database differs from the backup's manifest"
fi
tables="$(grep -c '^table' "$work/restored.manifest" || true)"
rows="$(awk -F'\t' '$1 == "table" { n += $3 } END { print n + 0 }' "$work/restored.manifest")"
log "manifest matches: $tables tables, $rows rows, rows per tenant and fingerprints equal"
behind="$(psql "$drill_url" -qAtX -v ON_ERROR_STOP=1 <<'SQL'
SELECT string_agg(format('%s.%s (%s < max id %s)', tbl, col, last, top), ', ')
FROM (
    SELECT s.seqrelid::regclass AS seq, d.refobjid::regclass AS tbl, a.attname AS col,
        (xpath('/row/v/text()', query_to_xml(format(
            'SELECT last_value AS v FROM %s', s.seqrelid::regclass), false, true, '')))[1]::text::bigint AS last,
        (xpath('/row/m/text()', query_to_xml(format(
            'SELECT coalesce(max(%I), 0) AS m FROM %s', a.attname, d.refobjid::regclass),
            false, true, '')))[1]::text::bigint AS top
    FROM pg_sequence s
    JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass
     AND d.deptype IN ('a', 'i')
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
) q
WHERE last < top;
SQL
)" || fail "sequence check failed"
[[ -z "$behind" ]] || fail "sequences behind their tables: $behind"
log "sequences are ahead of every id"

# 5. and 6. The app against the copy, in one process: migrate --check and the
# encrypted columns (scripts/restore_verify.py).
(cd "$root" && DATABASE_URL="$drill_url" "$PYTHON" "$here/restore_verify.py") >&2 \
  || fail "the app cannot use the copy (unapplied migrations, or encrypted columns that do not decrypt with FIELD_ENCRYPTION_KEYS)"

# For information: how far the live database moved since the backup.
if psql "$DATABASE_URL" -qAtX -f "$here/_manifest.sql" > "$work/live.manifest" 2>/dev/null; then
  moved="$(join -t $'\t' -j 1 \
    <(awk -F'\t' '$1 == "table" { print $2 "\t" $3 }' "$dir/$name.manifest" | sort) \
    <(awk -F'\t' '$1 == "table" { print $2 "\t" $3 }' "$work/live.manifest" | sort) \
    | awk -F'\t' '$2 != $3 { printf "%s %+d; ", $1, $3 - $2 }')"
  log "live database since the backup: ${moved:-no change in row counts}"
fi

log "PASSED: $file restores, matches its manifest, migrates and decrypts"
