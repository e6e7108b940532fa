-- The WAL replication slot $1 keeps on the source (from its restart
-- position to the current insert position), in bytes, and the most the
-- server lets a slot keep (max_slot_wal_keep_size, in bytes; -1 for no
-- limit); no row once dropped.
SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_insert_lsn(),
                                  restart_lsn)::bigint AS retained_bytes,
       CASE WHEN pg_catalog.current_setting('max_slot_wal_keep_size') = '-1' THEN -1
            ELSE pg_catalog.pg_size_bytes(pg_catalog.current_setting('max_slot_wal_keep_size'))
       END AS keep_limit_bytes
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = $1
