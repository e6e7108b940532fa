-- Tables whose rows a row-level security policy would hide from the
-- current role: policies are on, the role is neither a superuser nor
-- BYPASSRLS, and it is not the table's owner (or a member of it), or the
-- owner is subject too (FORCE ROW LEVEL SECURITY). Partitioned parents are
-- left out: their policies do not apply to reads of a partition.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relrowsecurity AND c.relkind = 'r'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r
             WHERE r.rolname = current_user)
   AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
 ORDER BY 1
