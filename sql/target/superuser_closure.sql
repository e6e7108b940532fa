-- Objects a non-superuser target cannot take: the ones only a superuser may
-- create (superuser_objects.sql gives them as $1 classids and $2 objids,
-- oid[]) and every object that depends on one of them, directly or through
-- others (pg_depend): a table with a column of such a type, its indexes and
-- constraints, a view whose rule calls such a function (a rule counts as
-- its view). Each named as verify's schema queries name objects (raw
-- schema and name; routines and operators with their argument types; casts
-- and transforms by their types), the rest as pg_identify_object's
-- identity. Columns: object.
WITH RECURSIVE closure(classid, objid) AS (
  SELECT s.classid, s.objid FROM unnest($1::oid[], $2::oid[]) AS s(classid, objid)
  UNION
  SELECT n.classid, n.objid
  FROM closure c
  CROSS JOIN LATERAL (
    SELECT d.classid, d.objid FROM pg_depend d
    WHERE d.refclassid = c.classid AND d.refobjid = c.objid AND d.deptype <> 'e'
    UNION ALL
    SELECT 'pg_class'::regclass::oid, r.ev_class FROM pg_rewrite r
    WHERE c.classid = 'pg_rewrite'::regclass AND r.oid = c.objid
  ) n
)
SELECT DISTINCT coalesce(
  (SELECT s.nspname || '.' || r.relname FROM pg_class r
   JOIN pg_namespace s ON s.oid = r.relnamespace
   WHERE c.classid = 'pg_class'::regclass AND r.oid = c.objid),
  (SELECT s.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
   FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
   WHERE c.classid = 'pg_proc'::regclass AND p.oid = c.objid),
  (SELECT s.nspname || '.' || t.typname FROM pg_type t
   JOIN pg_namespace s ON s.oid = t.typnamespace
   WHERE c.classid = 'pg_type'::regclass AND t.oid = c.objid),
  (SELECT s.nspname || '.' || o.opcname || ' USING ' || am.amname FROM pg_opclass o
   JOIN pg_namespace s ON s.oid = o.opcnamespace JOIN pg_am am ON am.oid = o.opcmethod
   WHERE c.classid = 'pg_opclass'::regclass AND o.oid = c.objid),
  (SELECT s.nspname || '.' || f.opfname || ' USING ' || am.amname FROM pg_opfamily f
   JOIN pg_namespace s ON s.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
   WHERE c.classid = 'pg_opfamily'::regclass AND f.oid = c.objid),
  (SELECT s.nspname || '.' || o.oprname || '(' || coalesce(format_type(o.oprleft, NULL), 'NONE')
          || ', ' || format_type(o.oprright, NULL) || ')'
   FROM pg_operator o JOIN pg_namespace s ON s.oid = o.oprnamespace
   WHERE c.classid = 'pg_operator'::regclass AND o.oid = c.objid),
  (SELECT format_type(k.castsource, NULL) || ' AS ' || format_type(k.casttarget, NULL)
   FROM pg_cast k WHERE c.classid = 'pg_cast'::regclass AND k.oid = c.objid),
  (SELECT format_type(t.trftype, NULL) || ' LANGUAGE ' || l.lanname
   FROM pg_transform t JOIN pg_language l ON l.oid = t.trflang
   WHERE c.classid = 'pg_transform'::regclass AND t.oid = c.objid),
  (pg_identify_object(c.classid, c.objid, 0)).identity) AS object
FROM closure c
WHERE c.objid <> 0
ORDER BY 1
