-- The sync benches' source database (bench/sync/run.sh, peer.sh): four tables,
-- one with TOASTed bodies.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);
INSERT INTO accounts SELECT g, 0, 'a' || g FROM generate_series(1, 100000) g;
CREATE TABLE docs (id int PRIMARY KEY, counter int NOT NULL, body text);
ALTER TABLE docs ALTER body SET STORAGE EXTERNAL;
INSERT INTO docs SELECT g, 0, repeat(md5(g::text), 200) FROM generate_series(1, 10000) g;
CREATE TABLE log (id bigserial PRIMARY KEY, account int NOT NULL, delta int NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE kv (k int PRIMARY KEY, v text NOT NULL);
INSERT INTO kv SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
