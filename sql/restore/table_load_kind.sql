-- How a table's data block is loaded ($1 schema, $2 name, raw): whether it
-- is a plain table (TRUNCATE + COPY FREEZE may be used), and, for an
-- extension configuration table (pg_extension_config_dump), the filter
-- ("WHERE ...", '' for all rows) that selected the archive's rows. CREATE
-- EXTENSION already filled such a table with the rows the filter leaves
-- out; the archive's rows are added to them, never put in their place.
-- The name comes quoted by the server.
SELECT c.relkind = 'r' AS plain,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       (SELECT coalesce(x.extcondition[s.i], '')
          FROM pg_catalog.pg_extension x, generate_subscripts(x.extconfig, 1) AS s(i)
         WHERE x.extconfig[s.i] = c.oid) AS extension_condition
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2
