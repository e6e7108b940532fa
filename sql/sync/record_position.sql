-- Records the applied position of sync $1 (in the applying transaction).
-- $2 commit_lsn, $3 end_lsn, $4 transactions and $5 changes in this batch.
INSERT INTO pgshuttle.sync_state AS s (sync_id, commit_lsn, end_lsn, transactions, changes)
VALUES ($1, $2::pg_lsn, $3::pg_lsn, $4::bigint, $5::bigint)
ON CONFLICT (sync_id) DO UPDATE
   SET commit_lsn = EXCLUDED.commit_lsn,
       end_lsn = EXCLUDED.end_lsn,
       transactions = s.transactions + EXCLUDED.transactions,
       changes = s.changes + EXCLUDED.changes,
       updated_at = pg_catalog.now()
