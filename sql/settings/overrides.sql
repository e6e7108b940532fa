-- Per-database and per-role defaults (pg_db_role_setting) that apply to the
-- current database: database-wide (role empty), a role in this database, or
-- a role in every database.
-- Columns: role, all_databases, name, value.
SELECT coalesce(r.rolname, '') AS role,
       s.setdatabase = 0 AS all_databases,
       split_part(cfg, '=', 1) AS name,
       substr(cfg, length(split_part(cfg, '=', 1)) + 2) AS value
FROM pg_db_role_setting s
LEFT JOIN pg_roles r ON r.oid = s.setrole
CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
  AND NOT (s.setdatabase = 0 AND s.setrole = 0)
ORDER BY 1, 2, 3;
