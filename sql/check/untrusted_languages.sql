-- Untrusted procedural languages used by user functions (only a superuser
-- can create functions in them).
-- Columns: language, functions.
SELECT l.lanname AS language, count(*) AS functions
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE NOT l.lanpltrusted
  AND l.lanname NOT IN ('internal', 'c')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
GROUP BY l.lanname
ORDER BY l.lanname;
