-- One row: the connected database's identity and size (as \l+ shows it).
SELECT current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       d.datname AS database,
       pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate AS collate,
       d.datctype AS ctype,
       pg_database_size(d.oid) AS size_bytes,
       pg_size_pretty(pg_database_size(d.oid)) AS size_pretty,
       current_user AS connected_as,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser
FROM pg_database d
WHERE d.datname = current_database();
