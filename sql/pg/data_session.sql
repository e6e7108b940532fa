-- Settings pinned on every session that reads or writes table data (copy's
-- source and target sessions, verify's), as pg_dump pins its own: values
-- print and parse the same way whatever the server, database or role
-- defaults are (a source with DateStyle 'SQL, DMY' must not turn 1 Feb into
-- 2 Jan on the way; IntervalStyle sql_standard must not flip interval signs;
-- extra_float_digits 0 must not round floats). An empty search_path makes
-- regclass/regtype text and pg_get_*def() output schema-qualified.
-- row_security = off makes a policy that would hide rows raise an error
-- instead of silently filtering what is read. No timeouts: a long COPY or
-- index build is expected, and a provider's default must not cut it.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 3;
SET bytea_output = 'hex';
SET lc_monetary = 'C';
SET xmloption = 'content';
SET standard_conforming_strings = on;
SET search_path = '';
SET row_security = off;
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET jit = off;
