-- Every relation that holds rows (leaf tables and partitions, populated
-- materialized views, and extension configuration tables such as PostGIS's
-- spatial_ref_sys, compared by their full content), with its columns sorted
-- by name as [name, quote_ident(name)] and its primary key columns in key
-- order as [name, quote_ident(name), type, collatable]. Names are quoted by
-- the server, which knows its keywords.
-- Which tables row-level security hides rows of: sql/pg/row_security_hidden.sql.
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
       c.relispopulated AS populated,
       greatest(c.reltuples, 0)::bigint AS estimated_rows,
       (SELECT json_agg(json_build_array(a.attname::text, quote_ident(a.attname))
                        ORDER BY a.attname)
        FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT json_agg(json_build_array(a.attname::text, quote_ident(a.attname),
                                         format_type(a.atttypid, a.atttypmod),
                                         a.attcollation <> 0) ORDER BY k.ord)
        FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indrelid = c.oid AND i.indisprimary) AS key,
       format('%I.%I', n.nspname, c.relname) AS ident
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND (NOT EXISTS (SELECT 1 FROM pg_depend d
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
       OR EXISTS (SELECT 1 FROM pg_extension x WHERE c.oid = ANY (x.extconfig)))
ORDER BY 1, 2
