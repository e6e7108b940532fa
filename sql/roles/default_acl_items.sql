-- The current database's default privileges (ALTER DEFAULT PRIVILEGES), one
-- row per grantee and privilege: the role whose future objects they apply
-- to, the schema (server-quoted; '' for the whole database), the object
-- type (pg_default_acl.defaclobjtype: r tables, S sequences, f functions, T
-- types, n schemas). A database-wide entry replaces the built-in defaults
-- of its type, so an entry without PUBLIC's EXECUTE on functions is a
-- revoke. The role's own entries are left out; has_item is false on the
-- only row of an entry with no other grantee; grantee '' is PUBLIC.
SELECT r.rolname::text AS role,
       CASE WHEN n.oid IS NULL THEN '' ELSE format('%I', n.nspname) END AS schema,
       d.defaclobjtype::text AS objtype,
       a.grantee IS NOT NULL AS has_item,
       coalesce(g.rolname::text, '') AS grantee,
       coalesce(a.privilege_type, '') AS privilege,
       coalesce(a.is_grantable, false) AS grantable
FROM pg_default_acl d
JOIN pg_roles r ON r.oid = d.defaclrole
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL (SELECT x.grantee, x.privilege_type, x.is_grantable
                   FROM aclexplode(d.defaclacl) x WHERE x.grantee <> d.defaclrole) a ON true
LEFT JOIN pg_roles g ON g.oid = a.grantee AND a.grantee <> 0
ORDER BY 1, 2, 3, 5, 6
