-- A sample of what users created in the current database (not extension
-- members, not system schemas), and how many there are.
-- Columns: total, sample (up to 5 names).
WITH objs AS (
  SELECT 'relation ' || n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'function ' || n.nspname || '.' || p.proname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'schema ' || nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp%'
  UNION ALL
  SELECT 'large object ' || oid FROM pg_largeobject_metadata
)
SELECT count(*) AS total,
       coalesce((SELECT string_agg(name, ', ') FROM (SELECT name FROM objs ORDER BY name LIMIT 5) s),
                '') AS sample
FROM objs;
