-- Functions, procedures, aggregates and window functions, keyed by name and
-- argument types (overloads are distinct objects). PostgreSQL 14 and newer
-- print a procedure's IN arguments with their mode ("IN a integer") where 13
-- prints none; the mode is dropped from a procedure's key and definition
-- header so that the same procedure reads the same on both majors.
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                      WHEN 'w' THEN 'window function' ELSE 'function' END AS kind,
       n.nspname || '.' || p.proname || '(' || h.arguments || ')' AS object,
       x.property, x.value
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN LATERAL (
  SELECT CASE WHEN p.prokind = 'p'
              THEN regexp_replace(pg_get_function_identity_arguments(p.oid),
                                  '(^|, )IN ', '\1', 'g')
              ELSE pg_get_function_identity_arguments(p.oid) END AS arguments,
         CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition
) AS d(arguments, definition)
CROSS JOIN LATERAL (
  SELECT d.arguments,
         CASE WHEN p.prokind = 'p'
              THEN regexp_replace(split_part(d.definition, E'\n', 1), '([(]|, )IN ', '\1', 'g')
                   || substr(d.definition, length(split_part(d.definition, E'\n', 1)) + 1)
              ELSE d.definition END
) AS h(arguments, definition)
CROSS JOIN LATERAL (VALUES
  ('definition', h.definition),
  ('result', pg_get_function_result(p.oid)),
  -- Every part of CREATE AGGREGATE: kind (normal, ordered-set, hypothetical),
  -- transition, final, combine, serial and moving-aggregate functions, sort
  -- operator, initial values, and PARALLEL.
  ('aggregate', (SELECT a.aggkind::text || ' ' || a.aggtransfn::text || ' '
                        || format_type(a.aggtranstype, NULL)
                        || coalesce(' final ' || NULLIF(a.aggfinalfn::oid, 0)::regproc::text
                                    || ' ' || a.aggfinalmodify::text || a.aggfinalextra::text, '')
                        || coalesce(' init ' || a.agginitval, '')
                        || coalesce(' combine ' || NULLIF(a.aggcombinefn::oid, 0)::regproc::text,
                                    '')
                        || coalesce(' serial ' || NULLIF(a.aggserialfn::oid, 0)::regproc::text
                                    || ' ' || a.aggdeserialfn::regproc::text, '')
                        || coalesce(' moving ' || NULLIF(a.aggmtransfn::oid, 0)::regproc::text
                                    || ' ' || a.aggminvtransfn::regproc::text || ' '
                                    || format_type(a.aggmtranstype, NULL)
                                    || coalesce(' ' || a.aggminitval, ''), '')
                        || coalesce(' sort ' || NULLIF(a.aggsortop, 0)::regoperator::text, '')
                        || ' parallel ' || p.proparallel::text
                 FROM pg_aggregate a WHERE a.aggfnoid = p.oid)),
  ('owner', pg_get_userbyid(p.proowner)::text),
  ('acl', p.proacl::text),
  ('comment', obj_description(p.oid, 'pg_proc'))
) AS x(property, value)
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  -- A range or multirange type's constructors, made by the server with the
  -- type (14 adds multirange ones): compared as the type, not as functions.
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                    AND d.refclassid = 'pg_type'::regclass AND d.deptype = 'i')
