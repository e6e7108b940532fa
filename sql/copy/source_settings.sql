-- The source session's effective settings before copy pins its own: the
-- database's encoding (both ends of every copy session use it, as a dump
-- does), and the settings a materialized view's rows may depend on, which
-- its refresh on the target carries (as SET LOCAL) instead of the target's.
SELECT name, setting
  FROM pg_catalog.pg_settings
 WHERE name IN ('server_encoding', 'TimeZone', 'DateStyle', 'IntervalStyle', 'search_path',
                'extra_float_digits', 'lc_monetary', 'lc_numeric', 'lc_time')
 ORDER BY name
