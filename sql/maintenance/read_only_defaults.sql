-- Where default_transaction_read_only is set for the current database:
-- database-wide (role empty) or per role (in this database or everywhere).
-- Columns: role, value.
SELECT coalesce(r.rolname, '') AS role,
       substr(cfg, length('default_transaction_read_only=') + 1) AS value
FROM pg_db_role_setting s
LEFT JOIN pg_roles r ON r.oid = s.setrole
CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
  AND NOT (s.setdatabase = 0 AND s.setrole = 0)
  AND cfg LIKE 'default_transaction_read_only=%'
ORDER BY 1;
