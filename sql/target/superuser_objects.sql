-- Source objects that only a superuser can create, so a managed target's
-- non-superuser role cannot load them: functions in LANGUAGE c or internal,
-- base types (their I/O functions are C), aggregates whose transition type
-- is internal, operator classes and families, transforms, binary-coercible
-- casts, text search parsers and templates, foreign-data wrappers and access
-- methods; publications FOR ALL TABLES or of whole schemas (FOR TABLES IN
-- SCHEMA), and subscriptions. Untrusted procedural languages and event
-- triggers have checks of their own. What an extension owns comes with
-- CREATE EXTENSION and is not listed; nor is anything of the system (OIDs
-- below FirstNormalObjectId).
-- Columns: kind, name, classid, objid (the object's catalog and OID; 0 for
-- kinds whose dependents still load: a publication, which nothing depends
-- on, and a subscription).
WITH extension_owned AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
-- Made by the server along with another object (a range type's constructor
-- functions are LANGUAGE internal, an opclass's implicit family): they come
-- with their parent's plain CREATE and need no superuser.
made_with_parent AS (
  SELECT classid, objid FROM pg_depend WHERE deptype = 'i'
),
user_schemas AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%'
)
SELECT 'c-function' AS kind,
       format('%I.%I(%s) LANGUAGE %s', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid), l.lanname) AS name,
       'pg_proc'::regclass::oid AS classid, p.oid AS objid
FROM pg_proc p
JOIN user_schemas n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('c', 'internal') AND p.prokind <> 'a'
  AND (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
  AND (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM made_with_parent)
UNION ALL
SELECT 'base-type', format('%I.%I', n.nspname, t.typname), 'pg_type'::regclass::oid, t.oid
FROM pg_type t
JOIN user_schemas n ON n.oid = t.typnamespace
WHERE t.typtype = 'b'
  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)  -- an array type of another type
  AND (t.oid, 'pg_type'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
SELECT 'internal-aggregate', format('%I.%I(%s)', n.nspname, p.proname,
                                     pg_get_function_identity_arguments(p.oid)),
       'pg_proc'::regclass::oid, p.oid
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN user_schemas n ON n.oid = p.pronamespace
WHERE a.aggtranstype = 'internal'::regtype
  AND (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
SELECT 'operator-class', format('%I.%I USING %s', n.nspname, c.opcname, am.amname),
       'pg_opclass'::regclass::oid, c.oid
FROM pg_opclass c
JOIN user_schemas n ON n.oid = c.opcnamespace
JOIN pg_am am ON am.oid = c.opcmethod
WHERE (c.oid, 'pg_opclass'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
-- A family CREATE OPERATOR CLASS made implicitly (same name) goes with its class.
SELECT 'operator-family', format('%I.%I USING %s', n.nspname, f.opfname, am.amname),
       'pg_opfamily'::regclass::oid, f.oid
FROM pg_opfamily f
JOIN user_schemas n ON n.oid = f.opfnamespace
JOIN pg_am am ON am.oid = f.opfmethod
WHERE (f.oid, 'pg_opfamily'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
  AND NOT EXISTS (SELECT 1 FROM pg_opclass c
                  WHERE c.opcfamily = f.oid AND c.opcname = f.opfname
                    AND c.opcnamespace = f.opfnamespace)
UNION ALL
SELECT 'transform', format('FOR %s LANGUAGE %s', format_type(tr.trftype, NULL), l.lanname),
       'pg_transform'::regclass::oid, tr.oid
FROM pg_transform tr
JOIN pg_language l ON l.oid = tr.trflang
WHERE tr.oid >= 16384
  AND (tr.oid, 'pg_transform'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
SELECT 'binary-cast', format('(%s AS %s) WITHOUT FUNCTION', format_type(c.castsource, NULL),
                             format_type(c.casttarget, NULL)),
       'pg_cast'::regclass::oid, c.oid
FROM pg_cast c
WHERE c.oid >= 16384 AND c.castmethod = 'b'
  AND (c.oid, 'pg_cast'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
SELECT 'text-search-parser', format('%I.%I', n.nspname, p.prsname), 'pg_ts_parser'::regclass::oid,
       p.oid
FROM pg_ts_parser p
JOIN user_schemas n ON n.oid = p.prsnamespace
WHERE (p.oid, 'pg_ts_parser'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
SELECT 'text-search-template', format('%I.%I', n.nspname, t.tmplname),
       'pg_ts_template'::regclass::oid, t.oid
FROM pg_ts_template t
JOIN user_schemas n ON n.oid = t.tmplnamespace
WHERE (t.oid, 'pg_ts_template'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
SELECT 'foreign-data-wrapper', format('%I', w.fdwname), 'pg_foreign_data_wrapper'::regclass::oid,
       w.oid
FROM pg_foreign_data_wrapper w
WHERE (w.oid, 'pg_foreign_data_wrapper'::regclass) NOT IN (SELECT objid, classid
                                                          FROM extension_owned)
UNION ALL
SELECT 'access-method', format('%I', am.amname), 'pg_am'::regclass::oid, am.oid
FROM pg_am am
WHERE am.oid >= 16384
  AND (am.oid, 'pg_am'::regclass) NOT IN (SELECT objid, classid FROM extension_owned)
UNION ALL
-- pg_publication_namespace (15 and later) through pg_depend, so that the
-- query also runs on 13 and 14, where it does not exist.
SELECT 'publication',
       format('%I (%s)', p.pubname,
              CASE WHEN p.puballtables THEN 'FOR ALL TABLES'
                   ELSE 'FOR TABLES IN SCHEMA ' || (
                     SELECT string_agg(format('%I', s.nspname), ', ' ORDER BY s.nspname)
                     FROM pg_depend d JOIN pg_depend ds
                       ON ds.classid = d.classid AND ds.objid = d.objid
                         AND ds.refclassid = 'pg_namespace'::regclass
                     JOIN pg_namespace s ON s.oid = ds.refobjid
                     WHERE d.classid = to_regclass('pg_catalog.pg_publication_namespace')::oid
                       AND d.refclassid = 'pg_publication'::regclass AND d.refobjid = p.oid)
              END),
       0, 0
FROM pg_publication p
WHERE p.puballtables
   OR EXISTS (SELECT 1 FROM pg_depend d
              WHERE d.classid = to_regclass('pg_catalog.pg_publication_namespace')::oid
                AND d.refclassid = 'pg_publication'::regclass AND d.refobjid = p.oid)
UNION ALL
SELECT 'subscription', format('%I', s.subname), 0, 0
FROM pg_subscription s
WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY 1, 2
