-- Schemas, user types (enums with labels in order, domains, composite and
-- range types, base types), collations, extensions, database-level settings
-- and database properties (encoding, locale, major version). Array types and
-- multiranges, which PostgreSQL creates by itself, are left out.
SELECT 'schema' AS kind, n.nspname AS object, p.property, p.value
FROM pg_namespace n
CROSS JOIN LATERAL (VALUES
  ('owner', pg_get_userbyid(n.nspowner)::text),
  ('acl', n.nspacl::text),
  ('comment', obj_description(n.oid, 'pg_namespace'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                                              AND d.objid = n.oid AND d.deptype = 'e')
UNION ALL
SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite type'
                      WHEN 'r' THEN 'range type' ELSE 'type' END,
       n.nspname || '.' || t.typname, p.property, p.value
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
CROSS JOIN LATERAL (VALUES
  ('labels', (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
              FROM pg_enum e WHERE e.enumtypid = t.oid)),
  ('base type', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END),
  ('not null', CASE WHEN t.typtype = 'd' THEN t.typnotnull::text END),
  ('default', t.typdefault),
  -- Subtype, its operator class and collation, canonical and diff functions.
  ('range', (SELECT format_type(r.rngsubtype, NULL) || ' ' || r.rngsubdiff::regproc::text
                    || ' opclass ' || (SELECT o.opcname FROM pg_opclass o
                                       WHERE o.oid = r.rngsubopc)
                    || coalesce(' collation ' || (SELECT c.collname FROM pg_collation c
                                                  WHERE c.oid = r.rngcollation), '')
                    || coalesce(' canonical ' || NULLIF(r.rngcanonical::oid, 0)::regproc::text,
                                '')
             FROM pg_range r WHERE r.rngtypid = t.oid)),
  ('collation', CASE WHEN t.typtype = 'd'
                     THEN (SELECT c.collname::text FROM pg_collation c WHERE c.oid = t.typcollation)
                END),
  ('owner', pg_get_userbyid(t.typowner)::text),
  ('acl', t.typacl::text),
  ('comment', obj_description(t.oid, 'pg_type'))
) AS p(property, value)
WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r')
  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                                              AND d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'collation', n.nspname || '.' || c.collname, p.property, p.value
FROM pg_collation c
JOIN pg_namespace n ON n.oid = c.collnamespace
CROSS JOIN LATERAL (VALUES
  ('provider', c.collprovider::text),
  -- libc collations have LC_COLLATE and LC_CTYPE; the others one locale,
  -- kept in collcollate by 13 and 14, colliculocale by 15 and 16 and
  -- colllocale by 17.
  ('collate', CASE WHEN c.collprovider = 'c' THEN c.collcollate END),
  ('ctype', CASE WHEN c.collprovider = 'c' THEN c.collctype END),
  ('locale', CASE WHEN c.collprovider <> 'c'
                  THEN coalesce(to_jsonb(c) ->> 'colliculocale', to_jsonb(c) ->> 'colllocale',
                                c.collcollate) END),
  ('deterministic', c.collisdeterministic::text),
  ('owner', pg_get_userbyid(c.collowner)::text),
  ('comment', obj_description(c.oid, 'pg_collation'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                                              AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'extension', x.extname, p.property, p.value
FROM pg_extension x
JOIN pg_namespace n ON n.oid = x.extnamespace
CROSS JOIN LATERAL (VALUES
  ('version', x.extversion),
  ('schema', n.nspname::text),
  ('configuration tables', (SELECT string_agg(cfg.rel::regclass::text
                                              || coalesce(' ' || NULLIF(cfg.cond, ''), ''),
                                              ', ' ORDER BY cfg.rel::regclass::text)
                            FROM unnest(x.extconfig, x.extcondition) AS cfg(rel, cond))),
  ('comment', obj_description(x.oid, 'pg_extension'))
) AS p(property, value)
UNION ALL
-- ALTER DATABASE ... SET: a missing or different value of a setting that
-- changes what the application's queries do (search_path above all,
-- statement_timeout, DateStyle...) is a difference. Kept apart as warnings:
-- tuning ('database tuning setting': memory, planner costs, logging,
-- statistics, autovacuum, WAL), which a bigger target may rightly change,
-- and settings only a superuser may set ('database setting (superuser
-- only)'), which a managed target's owner cannot. default_transaction_read_only
-- is left out: maintenance mode sets it on the source during a migration.
SELECT CASE WHEN ps.context IN ('superuser', 'postmaster', 'sighup', 'internal', 'backend',
                                'superuser-backend')
            THEN 'database setting (superuser only)'
            WHEN split_part(ps.category, ' / ', 1) IN
                   ('Resource Usage', 'Query Tuning', 'Reporting and Logging', 'Statistics',
                    'Autovacuum', 'Write-Ahead Log', 'Lock Management', 'Replication',
                    'Developer Options')
            THEN 'database tuning setting'
            ELSE 'database setting' END,
       cfg.name, 'value', cfg.value
FROM pg_db_role_setting s
JOIN pg_database db ON db.oid = s.setdatabase AND db.datname = current_database()
CROSS JOIN LATERAL unnest(s.setconfig) AS kv(setting)
CROSS JOIN LATERAL (SELECT split_part(kv.setting, '=', 1) AS name,
                           substr(kv.setting, strpos(kv.setting, '=') + 1) AS value) AS cfg
LEFT JOIN pg_settings ps ON lower(ps.name) = lower(cfg.name)
WHERE s.setrole = 0 AND lower(cfg.name) <> 'default_transaction_read_only'
UNION ALL
SELECT 'database', 'current database', p.property, p.value
FROM pg_database db
CROSS JOIN LATERAL (VALUES
  ('encoding', pg_encoding_to_char(db.encoding)::text),
  ('collate', db.datcollate::text),
  ('ctype', db.datctype::text),
  ('server major version', current_setting('server_version_num')::int / 10000 || '')
) AS p(property, value)
WHERE db.datname = current_database()
