-- Event triggers (they need superuser to restore on most managed targets).
SELECT evtname AS name, evtevent AS event, evtenabled::text AS enabled
FROM pg_event_trigger ORDER BY evtname;
