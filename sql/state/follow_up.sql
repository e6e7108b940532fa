-- Schema step 3: the transfer a finished one started and whose result is
-- still part of its own (a copy's or a restore's closing verify), so that
-- `pgshuttle cancel c001` reaches the verify c001 is waiting for.
ALTER TABLE transfers ADD COLUMN follow_up TEXT NOT NULL DEFAULT '';
