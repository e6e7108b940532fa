-- Terminates the sessions of this database named $1 (an interrupted run's
-- application_name) other than the caller's; returns one row per session
-- still there.
SELECT a.pid, pg_catalog.pg_terminate_backend(a.pid) AS signalled
  FROM pg_catalog.pg_stat_activity a
 WHERE a.application_name = $1
   AND a.datname = pg_catalog.current_database()
   AND a.pid <> pg_catalog.pg_backend_pid()
