-- Schema step 3.
-- follow_up: the transfer a finished one started and whose result is still
-- part of its own (a copy's or a restore's closing verify), so that
-- `pgshuttle cancel c001` reaches the verify c001 is waiting for.
-- etag: the stored object's entity tag as the storage reported it right
-- after a backup, so that a restore can tell a replaced object from the one
-- the backup wrote without reading it all (a backup without SHA-256).
ALTER TABLE transfers ADD COLUMN follow_up TEXT NOT NULL DEFAULT '';
ALTER TABLE transfers ADD COLUMN etag TEXT NOT NULL DEFAULT '';
