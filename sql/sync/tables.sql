-- The tables sync publishes: every permanent ordinary table (partitions
-- included, partitioned parents not: their changes are decoded under the
-- partition that holds the row) outside the system schemas that no
-- extension owns, with what identifies a row for UPDATE and DELETE.
-- Columns: schema_name, table_name, qualified (quoted by the server),
-- replica_identity ('d' default, 'i' index, 'f' full, 'n' nothing),
-- has_primary_key, has_identity_index.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       c.relreplident::text AS replica_identity,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                WHERE i.indrelid = c.oid AND i.indisprimary) AS has_primary_key,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                WHERE i.indrelid = c.oid AND i.indisreplident) AS has_identity_index
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND c.relpersistence = 'p'
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
   AND n.nspname <> 'pgshuttle'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 1, 2
