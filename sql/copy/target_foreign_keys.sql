-- Foreign keys on the target that touch the tables a --data-only copy loads
-- ($1: a JSON array of their qualified names), as the referencing or the referenced side,
-- directly or through a partitioned ancestor. Only top-level constraints:
-- a partition's inherited copy goes and comes back with its parent's.
-- Run with search_path = pg_catalog so every definition names its
-- referenced table with its schema.
WITH loaded AS (
  SELECT pg_catalog.to_regclass(t) AS rel
    FROM pg_catalog.jsonb_array_elements_text($1::jsonb) AS t
), touched AS (
  -- pg_partition_ancestors() lists a partition and its ancestors, and
  -- nothing for a table that is not a partition.
  SELECT rel AS relid FROM loaded WHERE rel IS NOT NULL
  UNION
  SELECT a.relid
    FROM loaded l, pg_catalog.pg_partition_ancestors(l.rel) AS a
   WHERE l.rel IS NOT NULL
)
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       c.relkind = 'p' AS partitioned,
       quote_ident(con.conname) AS conname,
       pg_catalog.pg_get_constraintdef(con.oid) AS definition
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE con.contype = 'f' AND con.conparentid = 0
   AND (con.conrelid IN (SELECT relid FROM touched)
        OR con.confrelid IN (SELECT relid FROM touched))
 ORDER BY 3, 5
