-- What logical decoding needs from the source: wal_level = logical, and a
-- role that may open a replication session (REPLICATION, or a superuser).
-- Columns: wal_level, may_replicate, max_replication_slots, slots_in_use.
SELECT pg_catalog.current_setting('wal_level') AS wal_level,
       (SELECT r.rolreplication OR r.rolsuper FROM pg_catalog.pg_roles r
         WHERE r.rolname = current_user) AS may_replicate,
       pg_catalog.current_setting('max_replication_slots')::int AS max_replication_slots,
       (SELECT count(*) FROM pg_catalog.pg_replication_slots)::int AS slots_in_use
