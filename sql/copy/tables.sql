-- Tables whose rows copy moves: ordinary tables and leaf partitions (a
-- partitioned parent holds no rows), with the columns COPY must name
-- (generated and dropped columns left out), whether every column's binary
-- form is safe between servers of one major version (built-in types, enums
-- and domains over those: their binary form carries no type oid that
-- differs between servers, unlike arrays and composites of user types,
-- and needs no send/recv functions an extension type may lack), and the
-- on-disk size used to order and split the work.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       pg_relation_size(c.oid) AS bytes,
       greatest(c.reltuples, 0)::bigint AS estimated_rows,
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
          FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attgenerated = '') AS columns,
       (SELECT coalesce(bool_and(CASE
                 WHEN t.oid < 16384 OR t.typtype = 'e' THEN true
                 WHEN t.typtype = 'd' THEN t.typbasetype < 16384 OR bt.typtype = 'e'
                 ELSE false END), true)
          FROM pg_attribute a
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attgenerated = '') AS builtin_types,
       (pg_relation_size(c.oid) / current_setting('block_size')::bigint) AS pages
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY pg_relation_size(c.oid) DESC, 1, 2
