-- Schema step 2: the progress of long runs that resume (a copy's finished
-- units, a migration's steps), keyed by run: "copy:c001", "migrate:<hash>".
-- A unit is recorded only after its work committed; values are what a
-- resumed run must know (the snapshot, the saved foreign keys, ...).
CREATE TABLE IF NOT EXISTS run_units (
  run TEXT NOT NULL,
  unit TEXT NOT NULL,
  PRIMARY KEY (run, unit)
);
CREATE TABLE IF NOT EXISTS run_values (
  run TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run, key)
);
