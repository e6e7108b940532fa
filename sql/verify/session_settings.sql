-- Output settings pinned on every verify session, so that both sides print
-- every value the same way whatever the server, database or role defaults
-- (TimeZone, DateStyle, IntervalStyle, extra_float_digits, bytea_output...).
-- An empty search_path makes regclass/regtype values and pg_get_*def()
-- output fully schema-qualified. row_security = off makes a policy that
-- would hide rows raise an error instead of silently filtering them.
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
SET idle_in_transaction_session_timeout = 0;
SET jit = off;
