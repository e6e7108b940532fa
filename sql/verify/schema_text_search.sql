-- Text search configurations (parser and token mappings), dictionaries
-- (template and options), parsers and templates (their functions).
SELECT 'text search configuration' AS kind, n.nspname || '.' || c.cfgname AS object,
       p.property, p.value
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
CROSS JOIN LATERAL (VALUES
  ('parser', (SELECT pn.nspname || '.' || prs.prsname FROM pg_ts_parser prs
              JOIN pg_namespace pn ON pn.oid = prs.prsnamespace WHERE prs.oid = c.cfgparser)),
  ('mappings', (SELECT string_agg(t.alias || ': ' || m.dicts, '; ' ORDER BY t.alias)
                FROM (SELECT mm.maptokentype,
                             string_agg(mm.mapdict::regdictionary::text, ', '
                                        ORDER BY mm.mapseqno) AS dicts
                      FROM pg_ts_config_map mm WHERE mm.mapcfg = c.oid
                      GROUP BY mm.maptokentype) AS m
                JOIN ts_token_type(c.cfgparser) AS t ON t.tokid = m.maptokentype)),
  ('owner', pg_get_userbyid(c.cfgowner)::text),
  ('comment', obj_description(c.oid, 'pg_ts_config'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_ts_config'::regclass
                                              AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'text search dictionary', n.nspname || '.' || d.dictname, p.property, p.value
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
CROSS JOIN LATERAL (VALUES
  ('template', (SELECT tn.nspname || '.' || t.tmplname FROM pg_ts_template t
                JOIN pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = d.dicttemplate)),
  ('options', d.dictinitoption),
  ('owner', pg_get_userbyid(d.dictowner)::text),
  ('comment', obj_description(d.oid, 'pg_ts_dict'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_ts_dict'::regclass
                                              AND e.objid = d.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text search parser', n.nspname || '.' || prs.prsname, p.property, p.value
FROM pg_ts_parser prs
JOIN pg_namespace n ON n.oid = prs.prsnamespace
CROSS JOIN LATERAL (VALUES
  ('functions', concat_ws(', ', prs.prsstart::regprocedure::text,
                          prs.prstoken::regprocedure::text, prs.prsend::regprocedure::text,
                          NULLIF(prs.prsheadline::oid, 0)::regprocedure::text,
                          prs.prslextype::regprocedure::text)),
  ('comment', obj_description(prs.oid, 'pg_ts_parser'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_ts_parser'::regclass
                                              AND e.objid = prs.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text search template', n.nspname || '.' || t.tmplname, p.property, p.value
FROM pg_ts_template t
JOIN pg_namespace n ON n.oid = t.tmplnamespace
CROSS JOIN LATERAL (VALUES
  ('functions', concat_ws(', ', NULLIF(t.tmplinit::oid, 0)::regprocedure::text,
                          t.tmpllexize::regprocedure::text)),
  ('comment', obj_description(t.oid, 'pg_ts_template'))
) AS p(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_ts_template'::regclass
                                              AND e.objid = t.oid AND e.deptype = 'e')
