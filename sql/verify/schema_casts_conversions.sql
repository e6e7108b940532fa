-- User-defined casts, transforms and conversions (OIDs from 16384 up are not
-- built in), keyed by what they convert, and procedural languages.
SELECT 'cast' AS kind,
       format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) AS object,
       p.property, p.value
FROM pg_cast c
CROSS JOIN LATERAL (VALUES
  ('function', NULLIF(c.castfunc, 0)::regprocedure::text),
  ('context', c.castcontext::text),
  ('method', c.castmethod::text),
  ('comment', obj_description(c.oid, 'pg_cast'))
) AS p(property, value)
WHERE c.oid >= 16384
  -- 'i': made by the server with a type (14's range to multirange casts).
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass
                                              AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
UNION ALL
SELECT 'transform', format_type(t.trftype, NULL) || ' LANGUAGE ' || l.lanname,
       p.property, p.value
FROM pg_transform t
JOIN pg_language l ON l.oid = t.trflang
CROSS JOIN LATERAL (VALUES
  ('from sql', NULLIF(t.trffromsql::oid, 0)::regprocedure::text),
  ('to sql', NULLIF(t.trftosql::oid, 0)::regprocedure::text),
  ('comment', obj_description(t.oid, 'pg_transform'))
) AS p(property, value)
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_transform'::regclass
                                              AND d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'conversion', n.nspname || '.' || c.conname, p.property, p.value
FROM pg_conversion c
JOIN pg_namespace n ON n.oid = c.connamespace
CROSS JOIN LATERAL (VALUES
  ('encodings', pg_encoding_to_char(c.conforencoding) || ' to '
                || pg_encoding_to_char(c.contoencoding)),
  ('function', c.conproc::regprocedure::text),
  ('default', c.condefault::text),
  ('owner', pg_get_userbyid(c.conowner)::text),
  ('comment', obj_description(c.oid, 'pg_conversion'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_conversion'::regclass
                                              AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'language', l.lanname::text, p.property, p.value
FROM pg_language l
CROSS JOIN LATERAL (VALUES
  ('trusted', l.lanpltrusted::text),
  ('handler', NULLIF(l.lanplcallfoid, 0)::regprocedure::text),
  ('inline', NULLIF(l.laninline, 0)::regprocedure::text),
  ('validator', NULLIF(l.lanvalidator, 0)::regprocedure::text),
  ('owner', pg_get_userbyid(l.lanowner)::text),
  ('acl', l.lanacl::text),
  ('comment', obj_description(l.oid, 'pg_language'))
) AS p(property, value)
WHERE l.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_language'::regclass
                                              AND d.objid = l.oid AND d.deptype = 'e')
