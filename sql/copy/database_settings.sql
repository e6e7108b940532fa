-- The source database's own defaults (ALTER DATABASE ... SET, role empty):
-- an application relies on them (a search_path that reaches its schema), so
-- copy carries them. default_transaction_read_only is left out: it is how
-- maintenance mode fences a source, not a setting of the application.
SELECT split_part(cfg, '=', 1) AS name,
       substr(cfg, length(split_part(cfg, '=', 1)) + 2) AS value
  FROM pg_catalog.pg_db_role_setting s
 CROSS JOIN LATERAL unnest(s.setconfig) AS cfg
 WHERE s.setdatabase = (SELECT oid FROM pg_catalog.pg_database
                         WHERE datname = current_database())
   AND s.setrole = 0
   AND split_part(cfg, '=', 1) <> 'default_transaction_read_only'
 ORDER BY 1
