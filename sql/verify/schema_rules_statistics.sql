-- Rewrite rules (not the _RETURN rules that make views) and extended
-- statistics objects, as pg_get_ruledef()/pg_get_statisticsobjdef() print
-- them (schema-qualified under verify's empty search_path).
SELECT 'rule' AS kind, n.nspname || '.' || c.relname || '.' || r.rulename AS object,
       p.property, p.value
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (VALUES
  ('definition', pg_get_ruledef(r.oid)),
  ('enabled', r.ev_enabled::text),
  ('comment', obj_description(r.oid, 'pg_rewrite'))
) AS p(property, value)
WHERE r.rulename <> '_RETURN'
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
-- stxstattarget is -1 (up to PG 16) or NULL (PG 17) when not set.
SELECT 'statistics', n.nspname || '.' || s.stxname, p.property, p.value
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
CROSS JOIN LATERAL (VALUES
  ('definition', pg_get_statisticsobjdef(s.oid)),
  ('table', (SELECT tn.nspname || '.' || tc.relname FROM pg_class tc
             JOIN pg_namespace tn ON tn.oid = tc.relnamespace WHERE tc.oid = s.stxrelid)),
  ('statistics target', NULLIF(to_jsonb(s) ->> 'stxstattarget', '-1')),
  ('owner', pg_get_userbyid(s.stxowner)::text),
  ('comment', obj_description(s.oid, 'pg_statistic_ext'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_statistic_ext'::regclass
                                              AND d.objid = s.oid AND d.deptype = 'e')
