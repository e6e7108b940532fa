-- Foreign-data wrappers, foreign servers and user mappings with their
-- options. A user mapping's options (often a password) are visible only to
-- some roles; where this session may not see them the value is the marker
-- '(not visible)', which verify does not compare. Options are sorted: a
-- restore may set them in another order.
SELECT 'foreign-data wrapper' AS kind, w.fdwname::text AS object, p.property, p.value
FROM pg_foreign_data_wrapper w
CROSS JOIN LATERAL (VALUES
  ('handler', NULLIF(w.fdwhandler, 0)::regprocedure::text),
  ('validator', NULLIF(w.fdwvalidator, 0)::regprocedure::text),
  ('options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(w.fdwoptions) AS o)),
  ('owner', pg_get_userbyid(w.fdwowner)::text),
  ('acl', w.fdwacl::text),
  ('comment', obj_description(w.oid, 'pg_foreign_data_wrapper'))
) AS p(property, value)
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_foreign_data_wrapper'::regclass
                                              AND d.objid = w.oid AND d.deptype = 'e')
UNION ALL
SELECT 'foreign server', s.srvname::text, p.property, p.value
FROM pg_foreign_server s
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
CROSS JOIN LATERAL (VALUES
  ('wrapper', w.fdwname::text),
  ('type', s.srvtype),
  ('version', s.srvversion),
  ('options', (SELECT string_agg(o, ', ' ORDER BY o COLLATE "C") FROM unnest(s.srvoptions) AS o)),
  ('owner', pg_get_userbyid(s.srvowner)::text),
  ('acl', s.srvacl::text),
  ('comment', obj_description(s.oid, 'pg_foreign_server'))
) AS p(property, value)
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_foreign_server'::regclass
                                              AND d.objid = s.oid AND d.deptype = 'e')
UNION ALL
SELECT 'user mapping', um.usename || ' SERVER ' || um.srvname, 'options',
       CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
              OR (um.umuser <> 0 AND um.usename = current_user
                  AND (pg_has_role(s.srvowner, 'USAGE') OR has_server_privilege(s.oid, 'USAGE')))
              OR (um.umuser = 0 AND pg_has_role(s.srvowner, 'USAGE'))
            THEN coalesce((SELECT string_agg(o, ', ' ORDER BY o COLLATE "C")
                           FROM unnest(um.umoptions) AS o), '')
            ELSE '(not visible)' END
FROM pg_user_mappings um
JOIN pg_foreign_server s ON s.oid = um.srvid
