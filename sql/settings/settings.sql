-- Every run-time setting as the connected session sees it.
-- Columns: name, setting, unit, context, category, source, vartype.
SELECT name, setting, coalesce(unit, '') AS unit, context, category, source, vartype
FROM pg_settings
ORDER BY name;
