-- Indexes (including those behind constraints): definition and validity.
SELECT 'index' AS kind, n.nspname || '.' || ic.relname AS object, p.property, p.value
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_namespace tn ON tn.oid = tc.relnamespace
CROSS JOIN LATERAL (VALUES
  ('table', tn.nspname || '.' || tc.relname),
  ('definition', pg_get_indexdef(i.indexrelid)),
  ('valid', i.indisvalid::text),
  ('clustered', i.indisclustered::text),
  ('comment', obj_description(ic.oid, 'pg_class'))
) AS p(property, value)
WHERE tc.relkind IN ('r', 'p', 'm')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = tc.oid AND d.deptype = 'e')
