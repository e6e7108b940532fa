-- Roles the current database's objects name: owners of schemas, relations,
-- functions and types outside the system schemas, and grantees in their
-- ACLs. A restore that keeps owners and grants needs each on the target.
-- Columns: rolname.
WITH oids AS (
  SELECT nspowner AS r FROM pg_namespace
  WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%'
  UNION SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  UNION SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  UNION SELECT (aclexplode(c.relacl)).grantee FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relacl IS NOT NULL AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  UNION SELECT (aclexplode(nspacl)).grantee FROM pg_namespace
  WHERE nspacl IS NOT NULL AND nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%'
)
SELECT DISTINCT r.rolname
FROM oids JOIN pg_roles r ON r.oid = oids.r
WHERE r.rolname NOT LIKE 'pg\_%'
ORDER BY r.rolname;
