-- Every large object with a digest of its bytes and its comment: the MD5
-- of the MD5s of its 1 MiB pieces (lo_get of a piece, so no object is read
-- into memory whole; the length from a read-only descriptor's lo_lseek64
-- to its end). Compared between source and target at a sync's cutover.
SELECT m.oid::text AS oid,
       (SELECT md5(string_agg(md5(pg_catalog.lo_get(m.oid, p * 1048576, 1048576)), '' ORDER BY p))
          FROM generate_series(0, (pg_catalog.lo_lseek64(pg_catalog.lo_open(m.oid, 262144), 0, 2)
                                   - 1) / 1048576) p) AS digest,
       pg_catalog.obj_description(m.oid, 'pg_largeobject') AS comment
  FROM pg_catalog.pg_largeobject_metadata m
 ORDER BY m.oid
