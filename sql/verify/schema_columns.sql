-- Columns of tables, views and composite types, keyed by name: type,
-- position (among the live columns: a dropped column leaves a gap in attnum
-- that a restore closes), nullability, default, generated expression,
-- identity, collation (when not the type's default), storage, compression,
-- statistics target, foreign-table options, comment and column ACL.
-- attcompression (PG 14) and a NULL attstattarget (PG 17) are read through
-- to_jsonb so that the query runs on every supported server.
-- An inheritance child's position is its own property: pg_dump re-creates
-- a child's inherited columns ahead of its local ones, so after any dump and
-- restore a child whose parent gained a column later lists them in another
-- order (schema_compare.cpp reports that as a warning, not a loss).
-- Some server builds keep a server-managed column version among the
-- attribute options ('pg_attver=N'); pg_dump reads it apart and never dumps
-- it, so it is no user option.
SELECT 'column' AS kind, n.nspname || '.' || c.relname || '.' || a.attname AS object,
       p.property, p.value
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
CROSS JOIN LATERAL (VALUES
  ('type', format_type(a.atttypid, a.atttypmod)),
  (CASE WHEN c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition
             AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
        THEN 'position in an inheritance child' ELSE 'position' END,
   (SELECT count(*) FROM pg_attribute o
                WHERE o.attrelid = a.attrelid AND o.attnum > 0 AND NOT o.attisdropped
                  AND o.attnum <= a.attnum)::text),
  ('not null', a.attnotnull::text),
  ('default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END),
  ('generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END),
  ('identity', NULLIF(a.attidentity::text, '')),
  ('collation', CASE WHEN a.attcollation <> t.typcollation
                     THEN con.nspname || '.' || co.collname END),
  ('storage', a.attstorage::text),
  ('compression', NULLIF(to_jsonb(a) ->> 'attcompression', '')),
  ('statistics target', NULLIF(to_jsonb(a) ->> 'attstattarget', '-1')),
  ('options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(a.attoptions) AS o
               WHERE o NOT LIKE 'pg\_attver=%')),
  ('fdw options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(a.attfdwoptions) AS o)),
  ('comment', col_description(c.oid, a.attnum)),
  ('acl', a.attacl::text)
) AS p(property, value)
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = c.reltype AND d.deptype = 'e')
