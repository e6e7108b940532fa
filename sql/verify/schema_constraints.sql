-- Table and domain constraints (NOT NULL lives with the columns).
-- A foreign key the server cloned from a partitioned table's (one per
-- partition on either side) has a name the server picks when it clones;
-- pg_dump dumps only the original, so after any restore the clones' names
-- differ. Clones are keyed by the original's (the root's) name and the table they
-- reference instead of their own name.
SELECT 'constraint' AS kind,
       n.nspname || '.' || coalesce(rel.relname, typ.typname) || '.' ||
         CASE WHEN con.contype = 'f' AND con.conparentid <> 0
              THEN '(clone of ' || (WITH RECURSIVE up AS (
                                      SELECT pc.conname, pc.conparentid FROM pg_constraint pc
                                      WHERE pc.oid = con.conparentid
                                      UNION ALL
                                      SELECT pc.conname, pc.conparentid
                                      FROM pg_constraint pc JOIN up ON pc.oid = up.conparentid)
                                    SELECT conname FROM up WHERE conparentid = 0)
                   || ' referencing ' || con.confrelid::regclass::text || ')'
              ELSE con.conname END AS object,
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
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_class'::regclass AND d.objid = con.conrelid)
                      OR (d.classid = 'pg_type'::regclass AND d.objid = con.contypid)))
