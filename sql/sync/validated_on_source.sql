-- Whether foreign key $3 of table $1.$2 is validated on the source (a key
-- the source itself keeps NOT VALID stays so on the target).
SELECT k.convalidated
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2 AND k.conname = $3 AND k.contype = 'f'
