-- The roles the current database names, and what for: the database's and
-- its objects' owners, the grantees of its privileges (tables, sequences,
-- schemas, functions, types, the database itself, large objects), the
-- roles of its default privileges and the roles its row-level security
-- policies name. System schemas and extension members are left out; PUBLIC
-- is no role. Each row: role name, what it is used for (comma-separated),
-- can log in, superuser, the roles it is a member of, how many grants name
-- it (what copy and restore leave out without --keep-acl).
WITH user_class AS (
  SELECT c.oid, c.relowner, c.relacl
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
), user_ns AS (
  SELECT n.oid, n.nspowner, n.nspacl
  FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                    AND d.objid = n.oid AND d.deptype = 'e')
), user_proc AS (
  SELECT p.oid, p.proowner, p.proacl
  FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                    AND d.objid = p.oid AND d.deptype = 'e')
), user_type AS (
  SELECT t.oid, t.typowner, t.typacl
  FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
  WHERE t.typrelid = 0 AND t.typelem = 0
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                    AND d.objid = t.oid AND d.deptype = 'e')
), uses(role, use, grants) AS (
  SELECT datdba, 'owns the database', 0 FROM pg_database WHERE datname = current_database()
  UNION ALL SELECT relowner, 'owns tables, views or sequences', 0 FROM user_class
  UNION ALL SELECT nspowner, 'owns schemas', 0 FROM user_ns
  UNION ALL SELECT proowner, 'owns functions', 0 FROM user_proc
  UNION ALL SELECT typowner, 'owns types', 0 FROM user_type
  UNION ALL SELECT lomowner, 'owns large objects', 0 FROM pg_largeobject_metadata
  -- A grant is one grantee's privileges on one object (aclexplode gives a
  -- row per privilege); an owner's own entry in an ACL is no grant.
  UNION ALL SELECT DISTINCT ON (c.oid, a.grantee) a.grantee,
            'granted on tables, views or sequences', 1
            FROM user_class c, aclexplode(c.relacl) a WHERE a.grantee <> c.relowner
  UNION ALL SELECT DISTINCT ON (n.oid, a.grantee) a.grantee, 'granted on schemas', 1
            FROM user_ns n, aclexplode(n.nspacl) a WHERE a.grantee <> n.nspowner
  UNION ALL SELECT DISTINCT ON (p.oid, a.grantee) a.grantee, 'granted on functions', 1
            FROM user_proc p, aclexplode(p.proacl) a WHERE a.grantee <> p.proowner
  UNION ALL SELECT DISTINCT ON (t.oid, a.grantee) a.grantee, 'granted on types', 1
            FROM user_type t, aclexplode(t.typacl) a WHERE a.grantee <> t.typowner
  UNION ALL SELECT DISTINCT ON (a.grantee) a.grantee, 'granted on the database', 1
            FROM pg_database d, aclexplode(d.datacl) a
            WHERE d.datname = current_database() AND a.grantee <> d.datdba
  UNION ALL SELECT DISTINCT ON (l.oid, a.grantee) a.grantee, 'granted on large objects', 1
            FROM pg_largeobject_metadata l, aclexplode(l.lomacl) a WHERE a.grantee <> l.lomowner
  UNION ALL SELECT defaclrole, 'sets default privileges', 0 FROM pg_default_acl
  UNION ALL SELECT DISTINCT ON (d.oid, a.grantee) a.grantee, 'granted by default privileges', 1
            FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE a.grantee <> d.defaclrole
  UNION ALL SELECT unnest(polroles), 'named in row-level security policies', 0 FROM pg_policy
)
SELECT r.rolname::text AS role,
       string_agg(DISTINCT u.use, ', ' ORDER BY u.use) AS used_for,
       r.rolcanlogin AS can_login,
       r.rolsuper AS superuser,
       coalesce((SELECT string_agg(m.rolname::text, ',' ORDER BY m.rolname)
                 FROM pg_auth_members am JOIN pg_roles m ON m.oid = am.roleid
                 WHERE am.member = r.oid), '') AS member_of,
       sum(u.grants)::bigint AS grants
FROM uses u
JOIN pg_roles r ON r.oid = u.role
WHERE r.rolname NOT LIKE 'pg\_%'
GROUP BY r.oid, r.rolname, r.rolcanlogin, r.rolsuper
ORDER BY 1
