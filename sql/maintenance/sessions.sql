-- Other client sessions connected to the current database. $1: the moment
-- maintenance mode was switched on (NULL when unknown); a session that
-- started before it keeps its read-write default.
-- Columns: pid, usename, application_name, client, state, backend_start,
-- xact_start, writing (holds a transaction id: has written), predates.
SELECT pid,
       coalesce(usename, '') AS usename,
       coalesce(application_name, '') AS application_name,
       coalesce(client_addr::text, 'local') AS client,
       coalesce(state, '') AS state,
       backend_start::text,
       coalesce(xact_start::text, '') AS xact_start,
       backend_xid IS NOT NULL AS writing,
       coalesce(backend_start < $1::timestamptz, false) AS predates
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
ORDER BY backend_start, pid;
