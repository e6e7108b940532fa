-- The on-disk size (heap and TOAST, pg_table_size) of every relation whose
-- rows pg_dump may write, by OID: a backup measures pg_dump's way through
-- the table data against these (the archive is compressed, so its own size
-- is no measure of how much of the database has been read).
SELECT c.oid, pg_catalog.pg_table_size(c.oid)
FROM pg_catalog.pg_class c
WHERE c.relkind IN ('r', 'm')
