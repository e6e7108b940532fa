-- Sequences: definition, owning column and current value (NULL when never
-- used, or when the session may not read it).
SELECT 'sequence' AS kind, n.nspname || '.' || c.relname AS object, p.property, p.value
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname
CROSS JOIN LATERAL (VALUES
  ('type', format_type(s.seqtypid, NULL)),
  ('start', s.seqstart::text),
  ('increment', s.seqincrement::text),
  ('minimum', s.seqmin::text),
  ('maximum', s.seqmax::text),
  ('cache', s.seqcache::text),
  ('cycle', s.seqcycle::text),
  ('persistence', c.relpersistence::text),  -- unlogged sequences: 15 and later
  ('last value', ps.last_value::text),
  ('owned by', (SELECT rn.nspname || '.' || rc.relname || '.' || ra.attname
                FROM pg_depend d
                JOIN pg_class rc ON rc.oid = d.refobjid
                JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                JOIN pg_attribute ra ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                LIMIT 1)),
  ('owner', pg_get_userbyid(c.relowner)::text),
  ('acl', c.relacl::text),
  ('comment', obj_description(c.oid, 'pg_class'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
