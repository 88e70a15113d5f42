-- Run once by the postgres image when it creates the database, as the owner
-- (POSTGRES_USER). Makes the role the web, worker and beat services connect
-- as (DATABASE_URL in docker-compose.yml): no superuser, no BYPASSRLS, owner
-- of nothing, so PostgreSQL's row-level security binds every query it runs
-- (docs/security/row-level-security.md). Only the migrate service connects
-- as the owner. The default privileges give hervat_app DML on every table
-- and sequence the owner's migrations create later.
CREATE ROLE hervat_app LOGIN PASSWORD 'hervat_app'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
DO $$ BEGIN
    EXECUTE format(
        'GRANT CONNECT, TEMPORARY ON DATABASE %I TO hervat_app', current_database()
    );
END $$;
GRANT USAGE ON SCHEMA public TO hervat_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hervat_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO hervat_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hervat_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO hervat_app;
