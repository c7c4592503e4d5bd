-- Madoguchi: add the supplier service's role and database to an installation whose
-- PostgreSQL was initialised (init.sql) before the supplier service existed. Idempotent:
-- an existing role keeps its password and an existing database is left alone.
--
-- Run as an administrator (psql 15+ for \getenv), with the new role's password in the
-- environment (URL-safe, 12+ characters, e.g. `openssl rand -hex 24`):
--   MADOGUCHI_SUPPLIER_DB_PASSWORD=... \
--     psql -v ON_ERROR_STOP=1 "postgresql://admin@host/postgres" -f deploy/postgres/add-supplier.sql
-- Compose (after adding MADOGUCHI_SUPPLIER_DB_PASSWORD to deploy/.env and
-- `docker compose -f deploy/compose.yaml up -d postgres`, which gives the container the
-- variable):
--   docker compose -f deploy/compose.yaml exec -T postgres \
--     psql -U postgres -d postgres -v ON_ERROR_STOP=1 < deploy/postgres/add-supplier.sql

\set ON_ERROR_STOP on

\getenv supplier_password MADOGUCHI_SUPPLIER_DB_PASSWORD
\if :{?supplier_password}
\else
  \echo 'MADOGUCHI_SUPPLIER_DB_PASSWORD is not set'
  \set supplier_password ''
\endif

SELECT length(:'supplier_password') < 12 AS weak_password
\gset
\if :weak_password
  DO $$ BEGIN
    RAISE EXCEPTION 'MADOGUCHI_SUPPLIER_DB_PASSWORD must be set (12+ characters)';
  END $$;
\endif

SELECT format('CREATE ROLE supplier LOGIN PASSWORD %L', :'supplier_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supplier')
\gexec

-- CREATE DATABASE cannot run inside a function or transaction block: \gexec runs it as
-- a statement of its own.
SELECT 'CREATE DATABASE supplier OWNER supplier ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'supplier')
\gexec

REVOKE ALL ON DATABASE supplier FROM PUBLIC;
GRANT CONNECT ON DATABASE supplier TO supplier;

\connect supplier
REVOKE ALL ON SCHEMA public FROM PUBLIC;
