-- The one answer to "would row-level security hide rows of a table from
-- this session?" (copy refuses such a source up front; verify refuses to
-- compare such a table). With row_security off, reading such a table raises
-- an error; it must never filter rows in silence. RLS applies unless the
-- role is a superuser or has BYPASSRLS, or (without FORCE ROW LEVEL
-- SECURITY) has the privileges of the table's owner. Partitioned parents
-- are left out: their policies do not apply to reads of a partition.
-- Returns the raw schema and name, the server-quoted name, and why.
SELECT n.nspname AS schema, c.relname AS name,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       CASE WHEN c.relforcerowsecurity AND pg_catalog.pg_has_role(c.relowner, 'USAGE')
            THEN format('FORCE ROW LEVEL SECURITY applies to its owner %I, which lacks BYPASSRLS',
                        pg_catalog.pg_get_userbyid(c.relowner))
            ELSE format('row-level security applies to %I, which neither owns it nor has BYPASSRLS',
                        current_user)
       END AS reason
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relrowsecurity AND c.relkind = 'r'
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
   AND NOT (SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r
             WHERE r.rolname = current_user)
   AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
 ORDER BY 3
