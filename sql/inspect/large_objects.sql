-- Number of large objects. Their bytes are summed separately because
-- pg_largeobject is readable only by superusers.
SELECT count(*) AS count FROM pg_largeobject_metadata;
