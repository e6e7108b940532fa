-- The applied position of sync $1 (no row before its first applied batch).
SELECT commit_lsn::text, end_lsn::text, transactions, changes
  FROM pgshuttle.sync_state
 WHERE sync_id = $1
