-- What a backup holds, computed inside the dump's own snapshot (backup.sh)
-- and again on the restored copy (restore_drill.sh): one line per table
-- with its row count and a fingerprint of every row's full text (encrypted
-- columns included, as the ciphertext they are stored as), and the row
-- count per tenant of every table with a tenant_id. Identical output means
-- the restore holds exactly what the dump saw. Session settings fix how
-- values print, so both sides render rows the same way.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
WITH tables AS (
    SELECT n.nspname AS s, c.relname AS t
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%'
      AND n.nspname NOT LIKE 'pg\_temp%'
), tenant_tables AS (
    SELECT t.s, t.t
    FROM tables t
    JOIN information_schema.columns col
      ON col.table_schema = t.s AND col.table_name = t.t
     AND col.column_name = 'tenant_id'
)
SELECT line FROM (
    SELECT format(E'table\t%s.%s\t%s\t%s', s, t,
        (xpath('/row/c/text()', q))[1]::text,
        (xpath('/row/f/text()', q))[1]::text) AS line
    FROM tables, LATERAL query_to_xml(format(
        'SELECT count(*) AS c, coalesce(sum(hashtextextended(x::text, 0)), 0) AS f '
        'FROM %I.%I x', s, t), false, true, '') AS q
    UNION ALL
    SELECT format(E'tenant\t%s.%s\t%s', s, t,
        coalesce((xpath('/row/c/text()', q))[1]::text, '-'))
    FROM tenant_tables, LATERAL query_to_xml(format(
        'SELECT string_agg(tenant_id || '':'' || n, '','' ORDER BY tenant_id) AS c '
        'FROM (SELECT tenant_id, count(*) AS n FROM %I.%I GROUP BY 1) g', s, t),
        false, true, '') AS q
) lines
ORDER BY line;
