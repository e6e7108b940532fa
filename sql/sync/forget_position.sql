-- Forgets the applied position of sync $1 after its cutover; returns how
-- many other syncs still keep one in this target.
WITH gone AS (DELETE FROM pgshuttle.sync_state WHERE sync_id = $1 RETURNING sync_id)
SELECT count(*) FROM pgshuttle.sync_state s WHERE s.sync_id NOT IN (SELECT sync_id FROM gone)
