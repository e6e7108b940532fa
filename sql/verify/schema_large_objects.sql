-- Large objects: size and content hash of each, keyed by OID.
SELECT 'large object' AS kind, m.oid::text AS object, p.property, p.value
FROM pg_largeobject_metadata m
CROSS JOIN LATERAL (SELECT lo_get(m.oid) AS data) AS lo
CROSS JOIN LATERAL (VALUES
  ('size', octet_length(lo.data)::text),
  ('md5', md5(lo.data)),
  ('owner', pg_get_userbyid(m.lomowner)::text),
  ('acl', m.lomacl::text),
  ('comment', obj_description(m.oid, 'pg_largeobject'))
) AS p(property, value)
