-- Sequences with their current value, as setval() needs them.
SELECT format('%I.%I', schemaname, sequencename) AS qualified,
       schemaname AS schema_name, sequencename AS sequence_name
  FROM pg_sequences
 WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1
