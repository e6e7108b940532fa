-- Publications, the tables each one publishes (pg_publication_tables: the
-- effective set, whether listed, by schema or FOR ALL TABLES, with the
-- column list and row filter where the server has them), and this
-- database's subscriptions (without their connection string, which only a
-- superuser may read).
SELECT 'publication' AS kind, p.pubname::text AS object, x.property, x.value
FROM pg_publication p
CROSS JOIN LATERAL (VALUES
  ('all tables', p.puballtables::text),
  ('publishes', concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END,
                                CASE WHEN p.pubupdate THEN 'update' END,
                                CASE WHEN p.pubdelete THEN 'delete' END,
                                CASE WHEN p.pubtruncate THEN 'truncate' END)),
  ('via root', p.pubviaroot::text),
  ('owner', pg_get_userbyid(p.pubowner)::text),
  ('comment', obj_description(p.oid, 'pg_publication'))
) AS x(property, value)
UNION ALL
SELECT 'publication table', pt.pubname || ': ' || pt.schemaname || '.' || pt.tablename,
       x.property, x.value
FROM pg_publication_tables pt
CROSS JOIN LATERAL (VALUES
  ('columns', to_jsonb(pt) ->> 'attnames'),
  ('row filter', to_jsonb(pt) ->> 'rowfilter')
) AS x(property, value)
UNION ALL
SELECT 'subscription', s.subname::text, x.property, x.value
FROM pg_subscription s
CROSS JOIN LATERAL (VALUES
  ('enabled', s.subenabled::text),
  ('publications', array_to_string(s.subpublications, ', ')),
  ('slot', s.subslotname::text),
  ('owner', pg_get_userbyid(s.subowner)::text)
) AS x(property, value)
WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
