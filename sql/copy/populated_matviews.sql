-- Materialized views that hold data on the source, each after the
-- materialized views it reads (depth in the chain of matviews it depends
-- on), for a --data-only copy to refresh once the tables are loaded.
WITH RECURSIVE reads AS (
  SELECT DISTINCT r.ev_class AS mv, d.refobjid AS used
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_depend d
      ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
    JOIN pg_catalog.pg_class u ON u.oid = d.refobjid AND u.relkind = 'm'
   WHERE d.refobjid <> r.ev_class
), depth AS (
  SELECT c.oid AS mv, 0 AS depth FROM pg_catalog.pg_class c WHERE c.relkind = 'm'
  UNION ALL
  SELECT reads.mv, depth.depth + 1
    FROM reads JOIN depth ON depth.mv = reads.used
   WHERE depth.depth < 100
)
SELECT format('%I.%I', n.nspname, c.relname) AS qualified, n.nspname, c.relname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN (SELECT mv, max(depth) AS depth FROM depth GROUP BY mv) d ON d.mv = c.oid
 WHERE c.relkind = 'm' AND c.relispopulated
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY d.depth, 1
