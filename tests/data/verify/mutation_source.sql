-- The source database of tests/integration/verify/mutation_test.cpp: one of
-- every object kind pg_dump dumps and verify compares, so that one change
-- to any of them on an exact copy can be shown to fail verify. Loaded after
-- fidelity case 08 (verify blind spots); includes 14 (keyword names). Run as a
-- superuser (PostGIS, event trigger, access method, FDW, C language handler).
CREATE EXTENSION postgis;
CREATE EXTENSION postgres_fdw;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);
CREATE SEQUENCE app.ticket_seq START 100;
SELECT setval('app.ticket_seq', 150);

-- Fidelity case 08 (verify blind spots) is loaded before this file, from
-- tests/data/fidelity/08_verify_blind_spots.sql (its part 1, in public).

-- Fidelity case 14: keyword and odd names.
CREATE TABLE "user" (id int PRIMARY KEY, "user" text NOT NULL, "order" int);
CREATE TABLE "order" (id int PRIMARY KEY, "user" int REFERENCES "user" (id), "select" text);
CREATE TABLE "Mixed Case" (id int PRIMARY KEY, "Value" text, "größe" int);
INSERT INTO "user" SELECT i, 'u' || i, i FROM generate_series(1, 100) i;
INSERT INTO "order" SELECT i, i, 's' || i FROM generate_series(1, 100) i;
INSERT INTO "Mixed Case" SELECT i, 'v' || i, i FROM generate_series(1, 10) i;

-- Tables, columns, constraints, indexes, views, routines, triggers, policies.
CREATE TABLE app.items (
  id int PRIMARY KEY,
  name text NOT NULL,
  qty app.posint DEFAULT 1,
  mood app.mood,
  price numeric(10, 2) CONSTRAINT price_positive CHECK (price > 0),
  ticket bigint DEFAULT nextval('app.ticket_seq'),
  compressed text COMPRESSION pglz,
  payload text
);
INSERT INTO app.items (id, name, qty, mood, price)
  SELECT i, 'item ' || i, i, 'ok', i * 1.5 FROM generate_series(1, 200) i;
CREATE INDEX items_name_idx ON app.items (name);
CREATE VIEW app.cheap_items AS SELECT id, name FROM app.items WHERE price < 10;
CREATE MATERIALIZED VIEW app.item_totals AS SELECT mood, count(*) AS n FROM app.items GROUP BY mood;
CREATE FUNCTION app.double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER items_touch BEFORE UPDATE ON app.items FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_all ON app.items USING (true);
CREATE TABLE app.heap_copy (id int PRIMARY KEY, v text) USING heap;

-- Text search dictionary, parser and template (parser and template need a
-- superuser and C functions; the built-in ones serve).
CREATE TEXT SEARCH DICTIONARY app.simple_dict (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH TEMPLATE app.simple_tmpl (LEXIZE = dsimple_lexize, INIT = dsimple_init);
CREATE TEXT SEARCH PARSER app.my_parser (START = prsd_start, GETTOKEN = prsd_nexttoken,
                                         END = prsd_end, LEXTYPES = prsd_lextype,
                                         HEADLINE = prsd_headline);

-- Operator class and family.
CREATE FUNCTION app.abs_cmp(int, int) RETURNS int LANGUAGE sql IMMUTABLE
  AS 'SELECT btint4cmp(abs($1), abs($2))';
CREATE FUNCTION app.abs_lt(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) < abs($2)';
CREATE OPERATOR app.<<< (LEFTARG = int, RIGHTARG = int, FUNCTION = app.abs_lt);
CREATE OPERATOR FAMILY app.abs_fam USING btree;
CREATE OPERATOR CLASS app.abs_ops FOR TYPE int USING btree FAMILY app.abs_fam AS
  OPERATOR 1 app.<<<, FUNCTION 1 app.abs_cmp(int, int);

-- Transform, conversion, collation, access method.
-- The transform's functions are never called: any internal function will do.
CREATE FUNCTION app.mood_from_sql(internal) RETURNS internal LANGUAGE internal STRICT IMMUTABLE
  AS 'int4recv';
CREATE TRANSFORM FOR app.mood LANGUAGE plpgsql (FROM SQL WITH FUNCTION app.mood_from_sql(internal));
CREATE CONVERSION app.my_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE COLLATION app.german (provider = icu, locale = 'de-DE');
CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;

-- Foreign data.
CREATE FOREIGN DATA WRAPPER dummy_fdw OPTIONS (debug 'true');
CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'example.invalid', dbname 'x');
CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (user 'reader');
CREATE FOREIGN TABLE app.remote_items (id int, name text OPTIONS (column_name 'title'))
  SERVER remote OPTIONS (schema_name 'public', table_name 'items');

-- Event trigger, comment.
CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER ddl_watch ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
COMMENT ON TABLE app.items IS 'the items';

-- Large object and an extension configuration row.
SELECT lo_from_bytea(910001, 'large object content');
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
  VALUES (990001, 'test', 990001, 'LOCAL_CS["test"]', '+proj=longlat');

-- A schema, an aggregate, a procedure, a composite type, a range type, a
-- small contrib extension.
CREATE SCHEMA reports;
CREATE AGGREGATE app.int_product(int) (SFUNC = int4mul, STYPE = int, INITCOND = '1');
CREATE PROCEDURE app.restock(n int) LANGUAGE plpgsql
  AS $$BEGIN UPDATE app.items SET qty = qty + n; END$$;
CREATE TYPE app.pair AS (l int, r text);
CREATE TYPE app.float_range AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.text_range AS RANGE (subtype = text, collation = "C");
CREATE DOMAIN app.ctext AS text COLLATE "C";
-- An aggregate with its parallel safety, and options kept on a TOAST table.
CREATE AGGREGATE app.int_sum_safe(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0',
                                        PARALLEL = SAFE);
CREATE EXTENSION pg_trgm;
COMMENT ON EXTENSION pg_trgm IS 'trigram matching, as the application uses it';

-- A trusted language made from plpgsql's call handler. The handler lives in
-- app and the language has no inline handler or validator: pg_dump writes
-- CREATE LANGUAGE with its parameters only when it dumps all its functions
-- (a handler in pg_catalog would make it a parameterless CREATE LANGUAGE,
-- read as CREATE EXTENSION plpgsql2, which fails).
CREATE FUNCTION app.plpgsql2_call_handler() RETURNS language_handler LANGUAGE c
  AS '$libdir/plpgsql', 'plpgsql_call_handler';
CREATE TRUSTED LANGUAGE plpgsql2 HANDLER app.plpgsql2_call_handler;

-- Identity, generated and collated columns, storage options.
CREATE TABLE app.events (
  id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  label text COLLATE "C",
  name text,
  name_upper text GENERATED ALWAYS AS (upper(name)) STORED
) WITH (fillfactor = 80, toast.autovacuum_enabled = false);
INSERT INTO app.events (label, name) SELECT 'l' || i, 'event ' || i FROM generate_series(1, 20) i;
-- Unlogged, and empty: a crash restart of the cluster empties an unlogged
-- table, which must not make the shared source differ from its dump.
CREATE UNLOGGED TABLE app.scratch (id int PRIMARY KEY, v text);

-- Partitions and inheritance.
CREATE TABLE app.readings (id int, taken date NOT NULL, v int) PARTITION BY RANGE (taken);
CREATE TABLE app.readings_2023 PARTITION OF app.readings
  FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE app.readings_2024 PARTITION OF app.readings
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO app.readings SELECT i, date '2023-01-01' + i * 3, i FROM generate_series(1, 200) i;
CREATE TABLE app.base_log (id int, msg text);
CREATE TABLE app.audit_log (day date) INHERITS (app.base_log);
INSERT INTO app.base_log VALUES (1, 'base');
INSERT INTO app.audit_log VALUES (2, 'audited', '2024-01-01');

-- A database-level setting (pg_dump without --create does not carry it: the
-- test copies it to the target by hand, as `pgshuttle settings apply` would).
DO $$BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = app, public', current_database());
END$$;
