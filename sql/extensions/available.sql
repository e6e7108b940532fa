-- Every version of every extension the server offers, with what decides
-- whether the connected role may create it: superuser, or a trusted
-- extension plus CREATE on the database.
-- Columns: name, version, installed_version, default_version, superuser,
-- trusted, role_is_superuser, role_can_create_in_database.
SELECT v.name,
       v.version,
       a.installed_version,
       a.default_version,
       v.superuser,
       v.trusted,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS role_is_superuser,
       has_database_privilege(current_database(), 'CREATE') AS role_can_create_in_database
FROM pg_available_extension_versions v
JOIN pg_available_extensions a ON a.name = v.name
ORDER BY v.name, v.version;
