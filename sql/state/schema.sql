-- The transfer registry (SQLite). One row per backup / restore / copy /
-- verify run; ids are a kind letter and a per-kind counter (b001, r001).
CREATE TABLE IF NOT EXISTS counters (
  kind TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS transfers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  destination TEXT NOT NULL DEFAULT '',
  bytes INTEGER NOT NULL DEFAULT 0,
  total_bytes INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  pid INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS transfer_log (
  transfer_id TEXT NOT NULL REFERENCES transfers(id),
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  level TEXT NOT NULL,
  line TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS transfer_warnings (
  transfer_id TEXT NOT NULL REFERENCES transfers(id),
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transfer_log_by_id ON transfer_log (transfer_id, n);
CREATE INDEX IF NOT EXISTS transfer_warnings_by_id ON transfer_warnings (transfer_id, n);
-- Incomplete S3 multipart uploads a backup started and has not completed or
-- aborted yet. A row outliving its transfer's process (kill -9, an abort
-- that failed) is what the next backup or `storage uploads --abort-stale`
-- aborts.
CREATE TABLE IF NOT EXISTS pending_uploads (
  transfer_id TEXT NOT NULL REFERENCES transfers(id),
  location TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  PRIMARY KEY (location, upload_id)
);
