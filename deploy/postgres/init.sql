-- Madoguchi: one database and one login role per service (run once, by the postgres
-- image's entrypoint, on an empty data directory: /docker-entrypoint-initdb.d/).
--
-- Passwords come from the container's environment (psql 15+ \getenv), never from this
-- file. Use URL-safe passwords (e.g. `openssl rand -hex 24`): the same value is embedded
-- in the services' postgresql:// URLs.
--
-- No service can connect to another service's database ("no service reads another's
-- tables"). madoguchi_reporting is a NOLOGIN group role for reporting tools (grant it
-- to a login role): it may read the projections' reporting views (report_v1_*), which
-- the service grants it each time it points them at a new read-model generation, and
-- nothing else (not the tables behind them, not the dead letters).
--
-- To run by hand against a managed PostgreSQL (as an administrator):
--   MADOGUCHI_INTAKE_DB_PASSWORD=... MADOGUCHI_PROJECTIONS_DB_PASSWORD=... \
--   MADOGUCHI_SLA_MONITOR_DB_PASSWORD=... MADOGUCHI_SUPPLIER_DB_PASSWORD=... \
--     psql -v ON_ERROR_STOP=1 "postgresql://admin@host/postgres" -f deploy/postgres/init.sql
-- An installation initialised before the SLA monitor or the supplier service existed:
-- run add-sla-monitor.sql and/or add-supplier.sql instead (this file runs once and is
-- not re-runnable).

\set ON_ERROR_STOP on

\getenv intake_password MADOGUCHI_INTAKE_DB_PASSWORD
\getenv projections_password MADOGUCHI_PROJECTIONS_DB_PASSWORD
\getenv sla_monitor_password MADOGUCHI_SLA_MONITOR_DB_PASSWORD
\getenv supplier_password MADOGUCHI_SUPPLIER_DB_PASSWORD

\if :{?intake_password}
\else
  \echo 'MADOGUCHI_INTAKE_DB_PASSWORD is not set'
  \set intake_password ''
\endif
\if :{?projections_password}
\else
  \echo 'MADOGUCHI_PROJECTIONS_DB_PASSWORD is not set'
  \set projections_password ''
\endif
\if :{?sla_monitor_password}
\else
  \echo 'MADOGUCHI_SLA_MONITOR_DB_PASSWORD is not set'
  \set sla_monitor_password ''
\endif
\if :{?supplier_password}
\else
  \echo 'MADOGUCHI_SUPPLIER_DB_PASSWORD is not set'
  \set supplier_password ''
\endif

SELECT length(:'intake_password') < 12 OR length(:'projections_password') < 12
    OR length(:'sla_monitor_password') < 12 OR length(:'supplier_password') < 12
    AS weak_passwords
\gset
\if :weak_passwords
  DO $$ BEGIN
    RAISE EXCEPTION 'MADOGUCHI_INTAKE_DB_PASSWORD, MADOGUCHI_PROJECTIONS_DB_PASSWORD, MADOGUCHI_SLA_MONITOR_DB_PASSWORD and MADOGUCHI_SUPPLIER_DB_PASSWORD must be set (12+ characters)';
  END $$;
\endif

-- Roles --------------------------------------------------------------------------------
CREATE ROLE intake LOGIN PASSWORD :'intake_password';
CREATE ROLE projections LOGIN PASSWORD :'projections_password';
CREATE ROLE sla_monitor LOGIN PASSWORD :'sla_monitor_password';
CREATE ROLE supplier LOGIN PASSWORD :'supplier_password';
CREATE ROLE madoguchi_reporting NOLOGIN;

-- Databases (owned by their service, so it can create its tables) -----------------------
CREATE DATABASE intake OWNER intake ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE projections OWNER projections ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE sla_monitor OWNER sla_monitor ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE supplier OWNER supplier ENCODING 'UTF8' TEMPLATE template0;

REVOKE ALL ON DATABASE intake FROM PUBLIC;
REVOKE ALL ON DATABASE projections FROM PUBLIC;
REVOKE ALL ON DATABASE sla_monitor FROM PUBLIC;
REVOKE ALL ON DATABASE supplier FROM PUBLIC;
GRANT CONNECT ON DATABASE intake TO intake;
GRANT CONNECT ON DATABASE projections TO projections, madoguchi_reporting;
GRANT CONNECT ON DATABASE sla_monitor TO sla_monitor;
GRANT CONNECT ON DATABASE supplier TO supplier;

-- Event store of the intake service (source of truth) --------------------------------
\connect intake
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- Event store of the SLA monitor (agreements, on-call set-up, signals, alerts: a source
-- of truth) and its derived tables (clocks, consumer offsets, alert index, deliveries).
-- Not readable by madoguchi_reporting: SLA reporting belongs in the projections.
\connect sla_monitor
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- Event store of the supplier service (suppliers, contracts, engagements: a source of
-- truth) and its derived tables (consumer offsets, state kept from the inquiry and SLA
-- topics). Not readable by madoguchi_reporting: supplier reporting belongs in the
-- projections.
\connect supplier
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- Read models of the projections service (rebuildable from the Kafka topics) ---------
\connect projections
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO madoguchi_reporting;
-- SELECT on the report_v1_* views is granted by the service when it creates them.
