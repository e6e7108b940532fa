-- User objects in the current database: relations, routines and types outside
-- the system schemas that no extension owns, non-default schemas, and large
-- objects. Used by restore's destructive guard. Columns: kind, name.
SELECT 'relation' AS kind, format('%I.%I', n.nspname, c.relname) AS name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype = 'e')
UNION ALL
SELECT 'function', format('%I.%I', n.nspname, p.proname)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                    AND d.deptype = 'e')
UNION ALL
SELECT 'schema', format('%I', n.nspname)
FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                    AND d.deptype = 'e')
UNION ALL
SELECT 'large object', oid::text
FROM pg_largeobject_metadata
ORDER BY 1, 2
