-- The one answer to "is the target empty?", shared by check, copy, restore
-- and migrate: what a user created in the current database. Objects that
-- come with an extension are not user objects: its members (pg_depend
-- deptype 'e') and, transitively, what hangs off them through internal or
-- automatic dependencies (deptype 'i'/'a'), which CREATE EXTENSION makes
-- without recording as members: the pg_class rows of its composite types
-- (tablefunc_crosstab_2, PostGIS geometry_dump), the indexes, constraints
-- and TOAST tables of its tables (spatial_ref_sys_pkey), array types of its
-- types. Extensions themselves are not user objects either: a provider or an
-- admin pre-installs them, and the extension checks judge their versions.
-- Columns: kind, name (quoted), owner, drop (the statement that removes the
-- object for --clean; NULL for an index, which goes with its table).
WITH RECURSIVE extension_owned(classid, objid) AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
  UNION
  SELECT d.classid, d.objid
  FROM pg_depend d
  JOIN extension_owned o ON o.classid = d.refclassid AND o.objid = d.refobjid
  WHERE d.deptype IN ('i', 'a')
),
user_schemas AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
)
SELECT 'relation' AS kind, format('%I.%I', n.nspname, c.relname) AS name,
       pg_get_userbyid(c.relowner) AS owner,
       CASE WHEN c.relkind IN ('i', 'I') THEN NULL
            ELSE format('DROP %s IF EXISTS %I.%I CASCADE',
                        CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                       WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                       WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                        n.nspname, c.relname) END AS drop
FROM pg_class c
JOIN user_schemas n ON n.oid = c.relnamespace
WHERE (c.relkind <> 'c' OR NOT EXISTS (SELECT 1 FROM extension_owned o
                                       WHERE o.classid = 'pg_type'::regclass
                                         AND o.objid = c.reltype))
  AND NOT EXISTS (SELECT 1 FROM extension_owned o
                  WHERE o.classid = 'pg_class'::regclass AND o.objid = c.oid)
UNION ALL
SELECT 'function', format('%I.%I', n.nspname, p.proname), pg_get_userbyid(p.proowner),
       format('DROP %s IF EXISTS %s CASCADE',
              CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
              format('%I.%I(%s)', n.nspname, p.proname,
                     pg_get_function_identity_arguments(p.oid)))
FROM pg_proc p
JOIN user_schemas n ON n.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM extension_owned o
                  WHERE o.classid = 'pg_proc'::regclass AND o.objid = p.oid)
UNION ALL
-- Types that are not a relation's row type, an array or a multirange (those
-- follow the object they belong to).
SELECT 'type', format('%I.%I', n.nspname, t.typname), pg_get_userbyid(t.typowner),
       format('DROP %s IF EXISTS %I.%I CASCADE',
              CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)
FROM pg_type t
JOIN user_schemas n ON n.oid = t.typnamespace
WHERE t.typrelid = 0 AND t.typtype <> 'm'
  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)  -- an array type of another type
  AND NOT EXISTS (SELECT 1 FROM extension_owned o
                  WHERE o.classid = 'pg_type'::regclass AND o.objid = t.oid)
UNION ALL
-- A schema an extension was installed into (CREATE EXTENSION ... SCHEMA
-- extensions) is the provider's; what a user put in it is listed above.
SELECT 'schema', format('%I', n.nspname), pg_get_userbyid(s.nspowner),
       format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname)
FROM user_schemas n
JOIN pg_namespace s ON s.oid = n.oid
WHERE n.nspname <> 'public'
  AND NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extnamespace = n.oid)
  AND NOT EXISTS (SELECT 1 FROM extension_owned o
                  WHERE o.classid = 'pg_namespace'::regclass AND o.objid = n.oid)
UNION ALL
SELECT 'large object', oid::text, pg_get_userbyid(lomowner),
       format('SELECT lo_unlink(%s) FROM pg_largeobject_metadata WHERE oid = %s', oid, oid)
FROM pg_largeobject_metadata
ORDER BY 1, 2
