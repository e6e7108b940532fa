-- Maintenance mode's mark on the current database: the transaction id that
-- wrote its ALTER DATABASE ... SET default_transaction_read_only = on row
-- (xmin), or no row when the database is writable. Switching the mode off
-- and on again writes a new row with a new xmin, so an unchanged value
-- means the database stayed read-only in between.
SELECT s.xmin::text AS fence
  FROM pg_catalog.pg_db_role_setting s
  JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
 WHERE d.datname = pg_catalog.current_database()
   AND s.setrole = 0
   AND 'default_transaction_read_only=on' = ANY (s.setconfig)
