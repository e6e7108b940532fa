-- The sync benches' pgbench script: 5 row changes in 4 tables a transaction
-- (an update, an insert, an update leaving a TOASTed column unchanged, an
-- upsert, a delete).
\set aid random(1, 100000)
\set did random(1, 10000)
\set k random(1, 100000)
\set delta random(-100, 100)
BEGIN;
UPDATE accounts SET balance = balance + :delta WHERE id = :aid;
INSERT INTO log (account, delta) VALUES (:aid, :delta);
UPDATE docs SET counter = counter + 1 WHERE id = :did;
INSERT INTO kv VALUES (:k, md5(random()::text)) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
DELETE FROM kv WHERE k = :k + 7;
END;
