-- User triggers (not the internal ones behind foreign keys) and row-level
-- security policies, keyed by table and name.
SELECT 'trigger' AS kind, n.nspname || '.' || c.relname || '.' || t.tgname AS object,
       p.property, p.value
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (VALUES
  ('definition', pg_get_triggerdef(t.oid)),
  ('enabled', t.tgenabled::text),
  ('comment', obj_description(t.oid, 'pg_trigger'))
) AS p(property, value)
WHERE NOT t.tgisinternal
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'policy', n.nspname || '.' || c.relname || '.' || pol.polname, p.property, p.value
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (VALUES
  ('command', pol.polcmd::text),
  ('permissive', pol.polpermissive::text),
  ('roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END,
                               ', ' ORDER BY 1)
             FROM unnest(pol.polroles) AS r)),
  ('using', pg_get_expr(pol.polqual, pol.polrelid)),
  ('with check', pg_get_expr(pol.polwithcheck, pol.polrelid)),
  ('comment', obj_description(pol.oid, 'pg_policy'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
