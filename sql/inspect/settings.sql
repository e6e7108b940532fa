-- Settings that differ from the built-in default, at server level (config
-- file, command line, ALTER SYSTEM), plus database- and role-level
-- overrides that apply to this database (pg_db_role_setting).
SELECT 'server' AS level, NULL::text AS role, name, setting, unit, source
FROM pg_settings
WHERE source NOT IN ('default', 'override', 'client', 'session', 'database', 'user', 'database user')
  AND boot_val IS DISTINCT FROM reset_val
UNION ALL
SELECT CASE WHEN s.setrole = 0 THEN 'database' ELSE 'role' END,
       r.rolname,
       split_part(cfg, '=', 1),
       substr(cfg, length(split_part(cfg, '=', 1)) + 2),
       NULL,
       CASE WHEN s.setrole = 0 THEN 'ALTER DATABASE' ELSE 'ALTER ROLE' END
FROM pg_db_role_setting s
LEFT JOIN pg_roles r ON r.oid = s.setrole
CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
  AND NOT (s.setdatabase = 0 AND s.setrole = 0)
ORDER BY 1, 2 NULLS FIRST, 3;
