#include "maintenance/maintenance.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "core/log.h"
#include "sql/maintenance.h"

namespace pgshuttle::maintenance {
namespace {

constexpr std::string_view kPrivilegeSqlstate = "42501";

Result<std::vector<SessionInfo>> sessions(pg::Connection& conn, const std::string& since) {
  std::vector<std::optional<std::string>> params = {since.empty() ? std::nullopt
                                                                  : std::optional(since)};
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::maintenance::sessions, params));
  std::vector<SessionInfo> out;
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({static_cast<int>(rows.get_int(i, 0)), rows.get(i, 1), rows.get(i, 2),
                   rows.get(i, 3), rows.get(i, 4), rows.get(i, 5), rows.get(i, 6),
                   rows.get_bool(i, 7), rows.get_bool(i, 8)});
  }
  return out;
}

// This session must be able to run ALTER DATABASE even when the database
// is already read-only.
Status writable_session(pg::Connection& conn) {
  return conn.exec("SET default_transaction_read_only = off");
}

Error refused(pg::Connection& conn, const Error& cause, bool on) {
  auto statements = per_role_statements(conn, on);
  Error e = make_error(ErrorCode::kBlocked,
                       fmt::format("ALTER DATABASE {} was refused for {}: {}", conn.database(),
                                   conn.user(), cause.message),
                       "connect as the database owner, or set the default per role (run as "
                       "each role or as a role with CREATEROLE):\n" +
                           (statements.ok() ? *statements : std::string("  (roles unknown)")));
  e.sqlstate = cause.sqlstate;
  return e;
}

// Waits until no predating session holds a write transaction, or the deadline.
Result<std::vector<SessionInfo>> wait_for_writers(pg::Connection& conn, const std::string& since,
                                                  int wait_seconds, double& waited) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::seconds(wait_seconds);
  for (;;) {
    PGS_ASSIGN_OR_RETURN(auto all, sessions(conn, since));
    bool writers = false;
    for (const auto& s : all) writers = writers || (s.predates && s.writing);
    waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!writers || std::chrono::steady_clock::now() >= deadline) return all;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

Result<std::string> per_role_statements(pg::Connection& conn, bool on) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::maintenance::login_roles));
  std::string out;
  for (int i = 0; i < rows.rows(); ++i) {
    out += fmt::format(
        "  ALTER ROLE {} IN DATABASE {} {};\n", conn.quote_ident(rows.get(i, 0)),
        conn.quote_ident(conn.database()),
        on ? "SET default_transaction_read_only = on" : "RESET default_transaction_read_only");
  }
  return out;
}

Result<EnableResult> enable(pg::Connection& conn, const EnableOptions& options) {
  PGS_TRY(writable_session(conn));
  auto altered = conn.exec("ALTER DATABASE " + conn.quote_ident(conn.database()) +
                           " SET default_transaction_read_only = on");
  if (!altered.ok()) {
    if (altered.error().sqlstate == kPrivilegeSqlstate) return refused(conn, altered.error(), true);
    return altered.error();
  }
  PGS_ASSIGN_OR_RETURN(auto now, conn.query("SELECT clock_timestamp()::text"));
  std::string since = now.get(0, 0);
  log::info("database {} is read-only for new sessions", conn.database());
  EnableResult result;
  PGS_ASSIGN_OR_RETURN(auto all,
                       wait_for_writers(conn, since, options.wait_seconds, result.waited_seconds));
  for (const auto& s : all) {
    if (!s.predates) continue;
    if (!options.terminate) {
      result.remaining.push_back(s);
      continue;
    }
    // Waits up to 5 s for the backend to exit (PostgreSQL 14+).
    std::string sql = conn.server_version() >= 140000 ? "SELECT pg_terminate_backend($1, 5000)"
                                                      : "SELECT pg_terminate_backend($1)";
    auto r = conn.query(sql, {std::to_string(s.pid)});
    if (r.ok() && r->get_bool(0, 0)) {
      result.terminated.push_back(s);
    } else {
      result.terminate_refused.push_back(s.pid);
      result.remaining.push_back(s);
    }
  }
  return result;
}

Status disable(pg::Connection& conn) {
  PGS_TRY(writable_session(conn));
  auto altered = conn.exec("ALTER DATABASE " + conn.quote_ident(conn.database()) +
                           " RESET default_transaction_read_only");
  if (!altered.ok()) {
    if (altered.error().sqlstate == kPrivilegeSqlstate)
      return refused(conn, altered.error(), false);
    return altered.error();
  }
  log::info("database {} accepts writes from new sessions", conn.database());
  return ok_status();
}

Result<MaintenanceStatus> status(pg::Connection& conn) {
  MaintenanceStatus st;
  st.database = conn.database();
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::maintenance::read_only_defaults));
  for (int i = 0; i < rows.rows(); ++i) {
    bool on = rows.get(i, 1) == "on" || rows.get(i, 1) == "true";
    if (!on) continue;
    if (rows.get(i, 0).empty()) {
      st.read_only_database = true;
    } else {
      st.read_only_roles.push_back(rows.get(i, 0));
    }
  }
  PGS_ASSIGN_OR_RETURN(st.sessions, sessions(conn, ""));
  return st;
}

Result<std::string> fence_mark(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::maintenance::fence_mark));
  return rows.rows() == 1 ? rows.get(0, 0) : std::string();
}

}  // namespace pgshuttle::maintenance
