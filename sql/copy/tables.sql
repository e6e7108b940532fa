-- Tables whose rows copy moves: ordinary tables and leaf partitions (a
-- partitioned parent holds no rows), with the columns COPY must name
-- (generated and dropped columns left out, names quoted by the server), the
-- column types whose binary form does not mean the same on another server
-- (NULL when binary COPY is safe), and the on-disk size used to order and
-- split the work. Extension configuration tables (pg_extension_config_dump)
-- come with their extension's name and row filter: CREATE EXTENSION fills
-- them on the target, and the rows the filter selects are the user's.
--
-- The indexes whose build inserts the table's rows one by one (SP-GiST,
-- and GiST unless every column's operator class has a sorted build:
-- support function 11, from PostgreSQL 14): built before a split load, the
-- loading sessions build them together instead of one CREATE INDEX on one
-- core after it. Raw names, one a line; the target is assumed to have the
-- same operator classes.
--
-- A type's binary form is safe between two servers of one major version
-- when, after looking through domains and arrays, the type is built in and
-- has binary I/O (typsend/typreceive; aclitem has none), and is not an OID
-- alias (regclass, regtype, regproc...: binary sends the raw OID, which
-- names another object or nothing on the target; text sends the name), or
-- is an enum (sent as its label). Arrays and composites of user types carry
-- the source's type OIDs in their binary form.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       format('%I.%I', n.nspname, c.relname) AS qualified,
       pg_relation_size(c.oid) AS bytes,
       greatest(c.reltuples, 0)::bigint AS estimated_rows,
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
          FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attgenerated = '') AS columns,
       (SELECT string_agg(DISTINCT format_type(a.atttypid, NULL), ', ')
          FROM pg_attribute a
          JOIN pg_type t ON t.oid = a.atttypid
          -- b: the type under a domain; e: the element of an array (or b)
          JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
          JOIN pg_type e ON e.oid = CASE WHEN b.typelem <> 0 AND b.typlen = -1
                                         THEN b.typelem ELSE b.oid END
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attgenerated = ''
           AND NOT (e.typtype = 'e' AND b.oid = e.oid)
           AND (b.oid >= 16384 OR e.oid >= 16384
                OR b.typsend = 0 OR b.typreceive = 0 OR e.typsend = 0 OR e.typreceive = 0
                OR e.typname IN ('regclass', 'regtype', 'regproc', 'regprocedure', 'regoper',
                                 'regoperator', 'regnamespace', 'regrole', 'regconfig',
                                 'regdictionary', 'regcollation'))) AS text_only_types,
       (pg_relation_size(c.oid) / current_setting('block_size')::bigint) AS pages,
       cfg.extname AS extension_name,
       cfg.condition AS extension_condition,
       (SELECT string_agg(ic.relname, E'\n' ORDER BY ic.relname)
          FROM pg_index x
          JOIN pg_class ic ON ic.oid = x.indexrelid
          JOIN pg_am am ON am.oid = ic.relam
         WHERE x.indrelid = c.oid AND x.indisvalid
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
           AND (am.amname = 'spgist'
                OR (am.amname = 'gist'
                    AND EXISTS (SELECT 1
                                  FROM unnest(x.indclass::oid[]) AS k(opclass)
                                  JOIN pg_opclass o ON o.oid = k.opclass
                                 WHERE NOT EXISTS (SELECT 1 FROM pg_amproc p
                                                    WHERE p.amprocfamily = o.opcfamily
                                                      AND p.amprocnum = 11))))
       ) AS insertion_built_indexes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
    SELECT x.extname, coalesce(x.extcondition[s.i], '') AS condition
      FROM pg_extension x, generate_subscripts(x.extconfig, 1) AS s(i)
     WHERE x.extconfig[s.i] = c.oid) cfg ON true
 WHERE c.relkind = 'r'
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
   AND (cfg.extname IS NOT NULL
        OR NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype = 'e'))
 ORDER BY pg_relation_size(c.oid) DESC, 1, 2
