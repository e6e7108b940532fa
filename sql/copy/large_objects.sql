-- Large objects to copy, by oid.
SELECT oid FROM pg_largeobject_metadata ORDER BY oid
