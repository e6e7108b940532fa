-- Every role name of the server.
-- Columns: rolname.
SELECT rolname FROM pg_roles ORDER BY rolname;
