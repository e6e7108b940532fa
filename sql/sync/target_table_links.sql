-- What decides how freely a target table's changes may be reordered within
-- one applied batch. $1: the table's name, quoted. Columns:
-- linked: a foreign key points from or to it, or a user trigger fires on it
--   (one sync disabled does not)
--   (its changes keep their order relative to other tables' changes);
-- unique_count: its unique indexes and exclusion constraints (1: only the
--   key's, so changes of distinct keys never interfere).
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                WHERE c.contype = 'f'
                  AND (c.conrelid = pg_catalog.to_regclass($1)
                       OR c.confrelid = pg_catalog.to_regclass($1)))
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                   WHERE g.tgrelid = pg_catalog.to_regclass($1) AND NOT g.tgisinternal
                     AND g.tgenabled <> 'D')
         AS linked,
       (SELECT count(*) FROM pg_catalog.pg_index i
         WHERE i.indrelid = pg_catalog.to_regclass($1) AND i.indisunique)
       + (SELECT count(*) FROM pg_catalog.pg_constraint x
           WHERE x.conrelid = pg_catalog.to_regclass($1) AND x.contype = 'x') AS unique_count
