-- PUBLIC's built-in default privileges on a new object of kind $1
-- (acldefault's letters: r tables, s sequences, f functions, T types, n
-- schemas) owned by role $2: what applies while the role has no
-- database-wide default privileges entry of that kind.
SELECT a.privilege_type, a.is_grantable
FROM pg_roles r, aclexplode(acldefault($1::"char", r.oid)) a
WHERE r.rolname = $2 AND a.grantee = 0
