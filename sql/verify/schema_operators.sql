-- Operators (keyed by name and argument types; a shell operator, named as
-- another's commutator or negator and never defined, is no object pg_dump
-- dumps: the operator naming it re-creates it), operator classes and
-- operator families (keyed by name and access method; a family lists its
-- operators and support functions, whichever class brought them in).
SELECT 'operator' AS kind,
       n.nspname || '.' || o.oprname || '(' || coalesce(format_type(o.oprleft, NULL), 'NONE')
         || ', ' || format_type(o.oprright, NULL) || ')' AS object,
       p.property, p.value
FROM pg_operator o
JOIN pg_namespace n ON n.oid = o.oprnamespace
CROSS JOIN LATERAL (VALUES
  ('function', o.oprcode::regprocedure::text),
  ('result', format_type(o.oprresult, NULL)),
  ('commutator', NULLIF(o.oprcom, 0)::regoperator::text),
  ('negator', NULLIF(o.oprnegate, 0)::regoperator::text),
  ('restrict', NULLIF(o.oprrest::oid, 0)::regprocedure::text),
  ('join', NULLIF(o.oprjoin::oid, 0)::regprocedure::text),
  ('hashes', o.oprcanhash::text),
  ('merges', o.oprcanmerge::text),
  ('owner', pg_get_userbyid(o.oprowner)::text),
  ('comment', obj_description(o.oid, 'pg_operator'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%' AND o.oprcode <> 0
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_operator'::regclass
                                              AND d.objid = o.oid AND d.deptype = 'e')
UNION ALL
SELECT 'operator class', n.nspname || '.' || c.opcname || ' USING ' || am.amname,
       p.property, p.value
FROM pg_opclass c
JOIN pg_namespace n ON n.oid = c.opcnamespace
JOIN pg_am am ON am.oid = c.opcmethod
CROSS JOIN LATERAL (VALUES
  ('type', format_type(c.opcintype, NULL)),
  ('default', c.opcdefault::text),
  ('storage', CASE WHEN c.opckeytype <> 0 THEN format_type(c.opckeytype, NULL) END),
  ('family', (SELECT fn.nspname || '.' || f.opfname FROM pg_opfamily f
              JOIN pg_namespace fn ON fn.oid = f.opfnamespace WHERE f.oid = c.opcfamily)),
  ('owner', pg_get_userbyid(c.opcowner)::text),
  ('comment', obj_description(c.oid, 'pg_opclass'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_opclass'::regclass
                                              AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'operator family', n.nspname || '.' || f.opfname || ' USING ' || am.amname,
       p.property, p.value
FROM pg_opfamily f
JOIN pg_namespace n ON n.oid = f.opfnamespace
JOIN pg_am am ON am.oid = f.opfmethod
CROSS JOIN LATERAL (VALUES
  ('operators', (SELECT string_agg(ao.amopstrategy || ' ' || ao.amopopr::regoperator::text
                                   || CASE ao.amoppurpose WHEN 'o' THEN ' FOR ORDER BY '
                                      || (SELECT sn.nspname || '.' || sf.opfname
                                          FROM pg_opfamily sf
                                          JOIN pg_namespace sn ON sn.oid = sf.opfnamespace
                                          WHERE sf.oid = ao.amopsortfamily) ELSE '' END,
                                   ', ' ORDER BY ao.amopstrategy, ao.amopopr::regoperator::text)
                 FROM pg_amop ao WHERE ao.amopfamily = f.oid)),
  ('functions', (SELECT string_agg(ap.amprocnum || ' (' || format_type(ap.amproclefttype, NULL)
                                   || ', ' || format_type(ap.amprocrighttype, NULL) || ') '
                                   || ap.amproc::regprocedure::text, ', '
                                   ORDER BY ap.amprocnum, 2)
                 FROM pg_amproc ap WHERE ap.amprocfamily = f.oid)),
  ('owner', pg_get_userbyid(f.opfowner)::text),
  ('comment', obj_description(f.oid, 'pg_opfamily'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_opfamily'::regclass
                                              AND d.objid = f.oid AND d.deptype = 'e')
