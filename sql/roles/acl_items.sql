-- The privileges of the current database's objects, one row per grantee and
-- privilege, for `roles --apply`: tables, views, sequences, their columns,
-- schemas, functions and procedures, types and domains, the database,
-- large objects, foreign-data wrappers and foreign servers. System schemas
-- and extension members are left out. A NULL ACL is the kind's built-in
-- default (acldefault), so a revoked PUBLIC default shows as a missing row.
-- Owners' own entries are left out (the owner may differ on the target);
-- the owner is named in every row.
-- Every object has at least one row; has_item is false on its only row
-- when no grantee other than the owner holds a privilege on it. Names come
-- quoted by the server (format('%I')), ready for GRANT; grantee is '' for
-- PUBLIC. The database's object is its own name (the target's differs).
WITH ns AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl
  FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                    AND d.objid = n.oid AND d.deptype = 'e')
), rel AS (
  SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS object, c.relowner, c.relacl
  FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
), objects(kind, object, col, owner, acl) AS (
  SELECT CASE relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, object, '', relowner,
         coalesce(relacl, acldefault(CASE relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", relowner))
  FROM rel
  UNION ALL
  SELECT 'TABLE', r.object, format('%I', a.attname), r.relowner, a.attacl
  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid
  WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  UNION ALL
  SELECT 'SCHEMA', format('%I', nspname), '', nspowner, coalesce(nspacl, acldefault('n', nspowner))
  FROM ns
  UNION ALL
  -- An aggregate by its argument types alone (an ordered-set aggregate's
  -- identity arguments have an ORDER BY that GRANT does not take; one
  -- without arguments is name(*)).
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
         format('%I.%I(%s)', n.nspname, p.proname,
                CASE WHEN p.prokind = 'a'
                     THEN coalesce((SELECT string_agg(format_type(a.t, NULL), ', ' ORDER BY a.i)
                                      FROM unnest(p.proargtypes) WITH ORDINALITY a(t, i)), '*')
                     ELSE pg_get_function_identity_arguments(p.oid) END), '',
         p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
  FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  -- Array and multirange types take their element's or range's privileges,
  -- a table's row type its table's; a standalone composite type has its own.
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
         format('%I.%I', n.nspname, t.typname), '', t.typowner,
         coalesce(t.typacl, acldefault('T', t.typowner))
  FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
  WHERE (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
    AND t.typelem = 0 AND t.typtype <> 'm'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'DATABASE', format('%I', datname), '', datdba, coalesce(datacl, acldefault('d', datdba))
  FROM pg_database WHERE datname = current_database()
  UNION ALL
  SELECT 'LARGE OBJECT', l.oid::text, '', l.lomowner, coalesce(l.lomacl, acldefault('L', l.lomowner))
  FROM pg_largeobject_metadata l
  UNION ALL
  SELECT 'FOREIGN DATA WRAPPER', format('%I', w.fdwname), '', w.fdwowner,
         coalesce(w.fdwacl, acldefault('F', w.fdwowner))
  FROM pg_foreign_data_wrapper w
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_foreign_data_wrapper'::regclass
                    AND d.objid = w.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'FOREIGN SERVER', format('%I', s.srvname), '', s.srvowner,
         coalesce(s.srvacl, acldefault('S', s.srvowner))
  FROM pg_foreign_server s
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_foreign_server'::regclass
                    AND d.objid = s.oid AND d.deptype = 'e')
)
SELECT o.kind, o.object, o.col,
       a.grantee IS NOT NULL AS has_item,
       coalesce(g.rolname::text, '') AS grantee,
       coalesce(a.privilege_type, '') AS privilege,
       coalesce(a.is_grantable, false) AS grantable,
       pg_get_userbyid(o.owner)::text AS owner
FROM objects o
LEFT JOIN LATERAL (SELECT x.grantee, x.privilege_type, x.is_grantable
                   FROM aclexplode(o.acl) x WHERE x.grantee <> o.owner) a ON true
LEFT JOIN pg_roles g ON g.oid = a.grantee AND a.grantee <> 0
ORDER BY 1, 2, 3, 5, 6
