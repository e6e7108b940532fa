-- Where a sync keeps, in the target itself, the source position up to which
-- the target has applied the change stream: written in the same transaction
-- as the changes, so the target's commit and the position are one fact.
CREATE SCHEMA IF NOT EXISTS pgshuttle;
CREATE TABLE IF NOT EXISTS pgshuttle.sync_state (
  sync_id text PRIMARY KEY,
  commit_lsn pg_lsn NOT NULL,     -- the last applied source transaction's commit
  end_lsn pg_lsn NOT NULL,        -- just past it: what the slot may confirm
  transactions bigint NOT NULL,   -- source transactions applied so far
  changes bigint NOT NULL,        -- row changes applied so far
  updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
