-- Extensions the target offers, whether they are installed, and whether the
-- current role may create them (superuser, or a trusted extension).
-- Columns: name, installed, creatable.
SELECT e.name,
       e.installed_version IS NOT NULL AS installed,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
         OR bool_or(v.trusted) AS creatable
FROM pg_available_extensions e
JOIN pg_available_extension_versions v ON v.name = e.name
GROUP BY e.name, e.installed_version
ORDER BY e.name
