-- The connected database and role, as check needs them.
-- Columns: server_version_num, encoding, collate, ctype, size_bytes,
-- is_superuser, can_create_schema, can_create_in_public.
SELECT current_setting('server_version_num')::int AS server_version_num,
       pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate AS collate,
       d.datctype AS ctype,
       pg_database_size(d.oid) AS size_bytes,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser,
       has_database_privilege(d.oid, 'CREATE') AS can_create_schema,
       coalesce((SELECT has_schema_privilege(n.oid, 'CREATE')
                 FROM pg_namespace n WHERE n.nspname = 'public'), false) AS can_create_in_public
FROM pg_database d
WHERE d.datname = current_database();
