-- Roles that can log in and connect to the current database: the per-role
-- alternative to ALTER DATABASE names these.
-- Columns: rolname.
SELECT rolname
FROM pg_roles
WHERE rolcanlogin
  AND rolname NOT LIKE 'pg\_%'
  AND has_database_privilege(oid, current_database(), 'CONNECT')
ORDER BY rolname;
