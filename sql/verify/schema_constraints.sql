-- Table and domain constraints (NOT NULL lives with the columns).
SELECT 'constraint' AS kind,
       n.nspname || '.' || coalesce(rel.relname, typ.typname) || '.' || con.conname AS object,
       p.property, p.value
FROM pg_constraint con
JOIN pg_namespace n ON n.oid = con.connamespace
LEFT JOIN pg_class rel ON rel.oid = con.conrelid
LEFT JOIN pg_type typ ON typ.oid = con.contypid
CROSS JOIN LATERAL (VALUES
  ('type', con.contype::text),
  ('definition', pg_get_constraintdef(con.oid)),
  ('validated', con.convalidated::text),
  ('comment', obj_description(con.oid, 'pg_constraint'))
) AS p(property, value)
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_class'::regclass AND d.objid = con.conrelid)
                      OR (d.classid = 'pg_type'::regclass AND d.objid = con.contypid)))
