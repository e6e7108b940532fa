-- Primary keys and unique constraints of ordinary tables, with the
-- definition of the index behind each (fully qualified: run with an empty
-- search_path), so copy can build the index on its own (SHARE lock, several
-- at once on one table) and then attach it with ADD CONSTRAINT ... USING
-- INDEX. The key matches pg_dump's entry name: "table constraint"; index
-- names come quoted by the server.
SELECT n.nspname AS schema_name,
       c.relname || ' ' || con.conname AS entry_name,
       quote_ident(i.relname) AS index_name,
       pg_get_indexdef(con.conindid) AS index_def,
       con.contype = 'p' AS is_primary,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       format('%I.%I', n.nspname, i.relname) AS index_qualified
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class i ON i.oid = con.conindid
 WHERE con.contype IN ('p', 'u')
   AND c.relkind = 'r'
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
