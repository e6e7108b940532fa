-- Database-wide objects that belong to no table: access methods, event
-- triggers, default privileges and security labels.
-- Default privileges are compared always (property 'privileges', not
-- 'acl'): without them, tables created later are unreadable to the roles
-- the application relies on.
SELECT 'access method' AS kind, a.amname::text AS object, p.property, p.value
FROM pg_am a
CROSS JOIN LATERAL (VALUES
  ('type', a.amtype::text),
  ('handler', a.amhandler::regprocedure::text),
  ('comment', obj_description(a.oid, 'pg_am'))
) AS p(property, value)
WHERE a.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_am'::regclass
                                              AND d.objid = a.oid AND d.deptype = 'e')
UNION ALL
SELECT 'event trigger', e.evtname::text, p.property, p.value
FROM pg_event_trigger e
CROSS JOIN LATERAL (VALUES
  ('event', e.evtevent::text),
  ('function', e.evtfoid::regprocedure::text),
  ('enabled', e.evtenabled::text),
  ('tags', array_to_string(e.evttags, ', ')),
  ('owner', pg_get_userbyid(e.evtowner)::text),
  ('comment', obj_description(e.oid, 'pg_event_trigger'))
) AS p(property, value)
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                                              AND d.objid = e.oid AND d.deptype = 'e')
UNION ALL
SELECT 'default privileges',
       'for role ' || pg_get_userbyid(da.defaclrole)
         || coalesce(' in schema ' || n.nspname, '') || ' on '
         || CASE da.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                                  WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types'
                                  WHEN 'n' THEN 'schemas' ELSE da.defaclobjtype::text END,
       'privileges', da.defaclacl::text
FROM pg_default_acl da
LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
UNION ALL
SELECT 'security label', sl.objtype || ' ' || sl.objname || ' (' || sl.provider || ')',
       'label', sl.label
FROM pg_seclabels sl
WHERE sl.objtype NOT IN ('role', 'tablespace', 'database')
