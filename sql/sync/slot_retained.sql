-- The WAL replication slot $1 keeps on the source (from its restart
-- position to the current insert position), in bytes; no row once dropped.
SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_insert_lsn(),
                                  restart_lsn)::bigint AS retained_bytes
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = $1
