-- Tables, views, materialized views and foreign tables: one row per
-- (kind, object, property, value), so verify compares them by name.
-- Extension members and system schemas are left out. Replica identity
-- 'default' on a view or foreign table is what PostgreSQL sets by itself.
-- Options are sorted: a restore may set them in another order.
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
  ('options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(c.reloptions) AS o)),
  -- toast.* options, which are kept on the TOAST table.
  ('toast options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C")
                     FROM pg_class tc CROSS JOIN LATERAL unnest(tc.reloptions) AS o
                     WHERE tc.oid = c.reltoastrelid)),
  ('replica identity', CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing'
                                           WHEN 'f' THEN 'full'
                       ELSE 'index ' || (SELECT ic.relname FROM pg_index i
                                         JOIN pg_class ic ON ic.oid = i.indexrelid
                                         WHERE i.indrelid = c.oid AND i.indisreplident) END),
  ('access method', (SELECT am.amname::text FROM pg_am am WHERE am.oid = c.relam)),
  ('tablespace', (SELECT ts.spcname::text FROM pg_tablespace ts WHERE ts.oid = c.reltablespace)),
  ('foreign server', (SELECT fs.srvname::text FROM pg_foreign_table ft
                      JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
                      WHERE ft.ftrelid = c.oid)),
  ('foreign options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C")
                       FROM pg_foreign_table ft CROSS JOIN LATERAL unnest(ft.ftoptions) AS o
                       WHERE ft.ftrelid = c.oid)),
  ('definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END),
  ('populated', CASE WHEN c.relkind = 'm' THEN c.relispopulated::text END),
  ('owner', pg_get_userbyid(c.relowner)::text),
  ('acl', c.relacl::text),
  ('comment', obj_description(c.oid, 'pg_class'))
) AS p(property, value)
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
