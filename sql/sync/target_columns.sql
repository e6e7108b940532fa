-- The columns of one target table that a change stream writes (generated
-- columns are computed by the target, and pgoutput does not send them), in
-- order. $1: the table's name, quoted. Columns: name, type (as the target
-- spells it, for casts), type_oid.
SELECT a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.atttypid::bigint AS type_oid
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid = pg_catalog.to_regclass($1)
   AND a.attnum > 0
   AND NOT a.attisdropped
   AND a.attgenerated = ''
 ORDER BY a.attnum
