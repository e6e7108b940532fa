-- Large objects when their content may not be read (no SELECT privilege):
-- presence, owner and ACL only.
SELECT 'large object' AS kind, m.oid::text AS object, p.property, p.value
FROM pg_largeobject_metadata m
CROSS JOIN LATERAL (VALUES
  ('owner', pg_get_userbyid(m.lomowner)::text),
  ('acl', m.lomacl::text),
  ('comment', obj_description(m.oid, 'pg_largeobject'))
) AS p(property, value)
