-- Tables, views, materialized views and foreign tables: one row per
-- (kind, object, property, value), so verify compares them by name.
-- Extension members and system schemas are left out.
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind,
       n.nspname || '.' || c.relname AS object, p.property, p.value
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (VALUES
  ('relkind', c.relkind::text),
  ('persistence', c.relpersistence::text),
  ('row security', c.relrowsecurity::text),
  ('forced row security', c.relforcerowsecurity::text),
  ('partition key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END),
  ('partition bound', pg_get_expr(c.relpartbound, c.oid)),
  ('inherits', (SELECT string_agg(pn.nspname || '.' || pc.relname, ', ' ORDER BY i.inhseqno)
                FROM pg_inherits i
                JOIN pg_class pc ON pc.oid = i.inhparent
                JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                WHERE i.inhrelid = c.oid)),
  ('options', array_to_string(c.reloptions, ', ')),
  ('definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END),
  ('populated', CASE WHEN c.relkind = 'm' THEN c.relispopulated::text END),
  ('owner', pg_get_userbyid(c.relowner)::text),
  ('acl', c.relacl::text),
  ('comment', obj_description(c.oid, 'pg_class'))
) AS p(property, value)
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
