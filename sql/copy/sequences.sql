-- Sequences whose value copy sets: raw names (matched with pg_dump's
-- selection) and the name quoted by the server for setval().
SELECT schemaname AS schema_name, sequencename AS sequence_name,
       format('%I.%I', schemaname, sequencename) AS qualified
  FROM pg_sequences
 WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\_%'
 ORDER BY 1, 2
