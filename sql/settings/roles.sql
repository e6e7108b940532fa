-- Role names and whether the connected role is a superuser.
-- Columns: rolname, current_is_superuser.
SELECT rolname,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS current_is_superuser
FROM pg_roles
ORDER BY rolname;
