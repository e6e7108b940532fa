-- Total bytes of all large objects (needs read access to pg_largeobject).
SELECT COALESCE(sum(octet_length(data)), 0)::bigint AS bytes FROM pg_largeobject;
