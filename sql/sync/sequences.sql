-- The source's sequences by raw schema and name, for a filtered sync's
-- cutover to match against the relations its filter selects.
SELECT n.nspname::text, c.relname::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S'
