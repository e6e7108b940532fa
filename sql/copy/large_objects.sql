-- Large objects to copy, by oid, with their comments: pg_dump 17 and later
-- dump large objects' metadata in the data section, so a pre-data dump
-- (copy's schema step) no longer carries their COMMENTs.
SELECT m.oid, pg_catalog.obj_description(m.oid, 'pg_largeobject') AS comment
  FROM pg_catalog.pg_largeobject_metadata m
 ORDER BY m.oid
