-- Partitioned tables, quoted by the server as pg_dump writes them. A foreign
-- key that references one is created valid in one step: VALIDATE CONSTRAINT
-- on a key added NOT VALID marks only the parent's constraint row valid and
-- leaves the per-partition rows NOT VALID (PostgreSQL 15).
SELECT format('%I.%I', n.nspname, c.relname) AS qualified
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'p'
