// Maintenance mode: the source database made read-only for the migration.
//
// `ALTER DATABASE db SET default_transaction_read_only = on` makes every new
// session start read-only. Sessions already open keep their old default, so
// switching on also waits (up to `wait_seconds`) for their in-flight write
// transactions to finish and then, with `terminate`, ends every session that
// predates the switch (pg_terminate_backend); without it they are reported.
// The mode is advisory against a determined client (a session may SET the
// default back), which is what the guide's runbook relies on too.
//
// Where a provider refuses ALTER DATABASE (not the owner), the error's hint
// carries the per-role alternative: ALTER ROLE r IN DATABASE db SET ...
//
// Thread safety: functions use the calling thread's connection.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::maintenance {

struct SessionInfo {
  int pid = 0;
  std::string user, application_name, client, state, backend_start, xact_start;
  bool writing = false;   // holds a transaction id: has written in its transaction
  bool predates = false;  // opened before maintenance mode: may still write
};

struct MaintenanceStatus {
  std::string database;
  bool read_only_database = false;           // ALTER DATABASE ... SET is on
  std::vector<std::string> read_only_roles;  // per-role defaults that are on
  std::vector<SessionInfo> sessions;         // other client sessions of the database
  bool writes_possible() const { return !read_only_database; }
};

struct EnableOptions {
  int wait_seconds = 30;
  bool terminate = false;
};

struct EnableResult {
  std::vector<SessionInfo> terminated;
  std::vector<SessionInfo> remaining;  // predating sessions left running (may write)
  std::vector<int> terminate_refused;  // pids this role may not terminate
  double waited_seconds = 0;
};

// Sets the database read-only for new sessions, waits for in-flight writes,
// and ends (or reports) sessions that predate it. kBlocked with the per-role
// statements in the hint when ALTER DATABASE is refused.
Result<EnableResult> enable(pg::Connection& conn, const EnableOptions& options);

// Resets the database default; new sessions may write again.
Status disable(pg::Connection& conn);

Result<MaintenanceStatus> status(pg::Connection& conn);

// Maintenance mode's mark on the current database (sql/maintenance/
// fence_mark.sql): "" while the database is writable; otherwise a value
// that changes whenever the mode is switched off and on again, so an
// unchanged mark means the database stayed read-only in between.
Result<std::string> fence_mark(pg::Connection& conn);

// "ALTER ROLE r IN DATABASE db SET default_transaction_read_only = on;" for
// every login role that may connect (`on` false: RESET).
Result<std::string> per_role_statements(pg::Connection& conn, bool on);

nlohmann::json to_json(const MaintenanceStatus& status);
nlohmann::json to_json(const EnableResult& result);
std::string to_text(const MaintenanceStatus& status);

}  // namespace pgshuttle::maintenance
