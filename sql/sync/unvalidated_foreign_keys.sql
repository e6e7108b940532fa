-- The foreign keys of the target that are NOT VALID (a resumed sync's copy
-- adds them so: its tables were read at two moments), with raw names to
-- look them up on the source and the ALTER that validates each, quoted by
-- the server.
SELECT n.nspname, c.relname, k.conname,
       format('ALTER TABLE ONLY %I.%I VALIDATE CONSTRAINT %I', n.nspname, c.relname, k.conname)
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f' AND NOT k.convalidated
 ORDER BY 1, 2, 3
