-- Extension $1 when the target already has it and another role owns it (a
-- provider installed it) and the session's role is no superuser: only its
-- owner may COMMENT ON it. Columns: extname.
SELECT e.extname
FROM pg_catalog.pg_extension e
WHERE e.extname = $1
  AND e.extowner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)
  AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)
ORDER BY 1
