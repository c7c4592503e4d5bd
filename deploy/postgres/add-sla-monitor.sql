-- Madoguchi: add the SLA monitor's role and database to an installation whose PostgreSQL
-- was initialised (init.sql) before the SLA monitor existed. Idempotent: an existing
-- role keeps its password and an existing database is left alone.
--
-- Run as an administrator (psql 15+ for \getenv), with the new role's password in the
-- environment (URL-safe, 12+ characters, e.g. `openssl rand -hex 24`):
--   MADOGUCHI_SLA_MONITOR_DB_PASSWORD=... \
--     psql -v ON_ERROR_STOP=1 "postgresql://admin@host/postgres" -f deploy/postgres/add-sla-monitor.sql
-- Compose (after adding MADOGUCHI_SLA_MONITOR_DB_PASSWORD to deploy/.env and
-- `docker compose -f deploy/compose.yaml up -d postgres`, which gives the container the
-- variable):
--   docker compose -f deploy/compose.yaml exec -T postgres \
--     psql -U postgres -d postgres -v ON_ERROR_STOP=1 < deploy/postgres/add-sla-monitor.sql

\set ON_ERROR_STOP on

\getenv sla_monitor_password MADOGUCHI_SLA_MONITOR_DB_PASSWORD
\if :{?sla_monitor_password}
\else
  \echo 'MADOGUCHI_SLA_MONITOR_DB_PASSWORD is not set'
  \set sla_monitor_password ''
\endif

SELECT length(:'sla_monitor_password') < 12 AS weak_password
\gset
\if :weak_password
  DO $$ BEGIN
    RAISE EXCEPTION 'MADOGUCHI_SLA_MONITOR_DB_PASSWORD must be set (12+ characters)';
  END $$;
\endif

SELECT format('CREATE ROLE sla_monitor LOGIN PASSWORD %L', :'sla_monitor_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sla_monitor')
\gexec

-- CREATE DATABASE cannot run inside a function or transaction block: \gexec runs it as
-- a statement of its own.
SELECT 'CREATE DATABASE sla_monitor OWNER sla_monitor ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sla_monitor')
\gexec

REVOKE ALL ON DATABASE sla_monitor FROM PUBLIC;
GRANT CONNECT ON DATABASE sla_monitor TO sla_monitor;

\connect sla_monitor
REVOKE ALL ON SCHEMA public FROM PUBLIC;
