-- The user triggers of the target's tables that fire in an ordinary
-- session and not on a replica (tgenabled 'O'): PostgreSQL's own apply
-- (session_replication_role = replica) skips them, so sync, which may not
-- set that role, turns them off while it applies and on again after.
-- Triggers enabled ALWAYS or REPLICA keep firing, as on a subscriber.
-- Columns: qualified table (quoted by the server), trigger name.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified, t.tgname
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal
   AND t.tgenabled = 'O'
   AND t.tgparentid = 0
   AND c.relkind IN ('r', 'p')
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
   AND n.nspname <> 'pgshuttle'
 ORDER BY 1, 2
