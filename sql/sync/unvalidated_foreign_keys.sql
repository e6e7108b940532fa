-- The foreign keys that are NOT VALID, with raw names and the ALTER that
-- validates each, quoted by the server. On the target: what a resumed
-- sync's copy left so (its tables were read at two moments); on the
-- source: the keys that stay NOT VALID on the target too.
SELECT n.nspname, c.relname, k.conname,
       format('ALTER TABLE ONLY %I.%I VALIDATE CONSTRAINT %I', n.nspname, c.relname, k.conname)
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f' AND NOT k.convalidated
 ORDER BY 1, 2, 3
