-- Reset the projections (read-model) database so the service rebuilds it from the
-- Kafka topics. Run as the `projections` role (owner of the database) while NO
-- projections instance is running:
--   psql -v ON_ERROR_STOP=1 "$MADOGUCHI_PROJECTIONS_DATABASE_URL" -f deploy/postgres/reset-projections.sql
-- This drops every read-model table AND the stored consumer positions (topic,
-- partition, offset), which live in the same database: on start the service reads the
-- topics from the beginning. Never run this against an event store (intake, supplier).
-- If the service was configured with ?schema=NAME, replace public by NAME below.

\set ON_ERROR_STOP on

SELECT current_database() = 'projections' AS is_projections \gset
\if :is_projections
\else
  DO $$ BEGIN RAISE EXCEPTION 'refusing to reset a database not named projections'; END $$;
\endif

BEGIN;
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO madoguchi_reporting;
COMMIT;
