-- A parameter's value as a new session of this database and role starts
-- with it (reset_val: server, database and role defaults applied, this
-- session's own SETs not), with its unit ("8kB", "ms", ...; NULL when none).
SELECT s.reset_val, s.unit
  FROM pg_catalog.pg_settings s
 WHERE lower(s.name) = lower($1)
