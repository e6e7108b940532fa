-- Functions, procedures, aggregates and window functions, keyed by name and
-- argument types (overloads are distinct objects).
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                      WHEN 'w' THEN 'window function' ELSE 'function' END AS kind,
       n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
         AS object,
       x.property, x.value
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN LATERAL (VALUES
  ('definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END),
  ('result', pg_get_function_result(p.oid)),
  ('aggregate', (SELECT a.aggtransfn::text || ' ' || format_type(a.aggtranstype, NULL)
                        || coalesce(' final ' || NULLIF(a.aggfinalfn::oid, 0)::regproc::text, '')
                        || coalesce(' init ' || a.agginitval, '')
                 FROM pg_aggregate a WHERE a.aggfnoid = p.oid)),
  ('owner', pg_get_userbyid(p.proowner)::text),
  ('acl', p.proacl::text),
  ('comment', obj_description(p.oid, 'pg_proc'))
) AS x(property, value)
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
