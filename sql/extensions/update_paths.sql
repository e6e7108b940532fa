-- Whether extension $1 installed at version $2 can be updated to version $3
-- (to_wanted), and whether $3 can be updated to $2 (from_wanted), on this
-- server. Columns: to_wanted, from_wanted.
SELECT coalesce(bool_or(source = $2 AND target = $3), false) AS to_wanted,
       coalesce(bool_or(source = $3 AND target = $2), false) AS from_wanted
FROM pg_extension_update_paths($1)
WHERE path IS NOT NULL
