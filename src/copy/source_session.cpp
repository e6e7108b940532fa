#include "copy/source_session.h"

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <thread>

#include "copy/copy.h"
#include "core/log.h"
#include "sql/copy.h"
#include "sql/pg.h"

namespace pgshuttle::copy {

// The source session's effective settings before pinning (the database's and
// role's defaults): a materialized view's rows depend on them (a
// date_trunc() of a timestamptz on TimeZone, a to_char() on DateStyle), so
// its refresh on the target runs with the source's, not the target's.
Result<Settings> read_source_settings(pg::Connection& holder, std::string& encoding) {
  PGS_ASSIGN_OR_RETURN(auto rows, holder.query(sql::copy::source_settings));
  Settings out;
  for (int i = 0; i < rows.rows(); ++i) {
    if (rows.get(i, 0) == "server_encoding") {
      encoding = rows.get(i, 1);
      continue;
    }
    out.emplace_back(rows.get(i, 0), rows.get(i, 1));
  }
  return out;
}

Result<std::string> matview_settings_sql(pg::Connection& target, const Settings& settings) {
  std::string sets;
  for (const auto& [name, value] : settings) {
    std::string set = "SELECT pg_catalog.set_config(" + target.quote_literal(name) + ", " +
                      target.quote_literal(value) + ", true)";
    if (name.rfind("lc_", 0) == 0) {
      // Tried in a transaction that is rolled back: a locale the target's
      // server does not have would fail every refresh.
      PGS_TRY(target.exec("BEGIN"));
      Status tried = target.exec(set);
      PGS_TRY(target.exec("ROLLBACK"));
      if (!tried.ok()) {
        log::warn(
            "the target server has no locale {} for {} (the source's): materialized views are "
            "refreshed with the target's {}; a view whose rows format money, numbers or dates "
            "by locale may differ (verify compares them)",
            value, name, name);
        continue;
      }
    }
    sets += set + ";\n";
  }
  return sets;
}

// Copying through a policy would move only the rows the source role may
// see; refused before anything is written, naming the tables and the fix.
Status refuse_row_security(pg::Connection& holder) {
  PGS_ASSIGN_OR_RETURN(auto rows, holder.query(sql::pg::row_security_hidden));
  if (rows.rows() == 0) return ok_status();
  std::string names;
  for (int i = 0; i < rows.rows() && i < 10; ++i) names += (i ? ", " : "") + rows.get(i, 2);
  if (rows.rows() > 10) names += fmt::format(" and {} more", rows.rows() - 10);
  return make_error(
      ErrorCode::kRowSecurity,
      fmt::format("row-level security would hide rows of {} table(s) from source role {}: {}",
                  rows.rows(), holder.user(), names),
      fmt::format("connect to the source as a superuser or as a role with BYPASSRLS (ALTER ROLE "
                  "{} BYPASSRLS), or leave those tables out with --exclude",
                  holder.quote_ident(holder.user())));
}

std::string session_name(const std::string& id, const std::string& state_dir) {
  return fmt::format("pgshuttle copy {} {:08x}", id,
                     std::hash<std::string>{}(state_dir)&0xffffffffu);
}

// Sessions an interrupted run of this copy left on a server (the same
// application_name, another pid) may still be building an index or loading
// a table and would commit it under the resumed run: they are terminated
// (a role may end its own sessions) and waited for, at most 30 seconds.
Status end_orphans(pg::Connection& conn, const std::string& app, std::string_view where) {
  constexpr int kPolls = 300;
  for (int i = 0; i < kPolls; ++i) {
    PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::copy::end_orphans, {app}));
    if (rows.rows() == 0) return ok_status();
    if (i == 0) {
      log::info("ending {} session(s) of the interrupted run still working on the {}", rows.rows(),
                where);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return make_error(ErrorCode::kBlocked,
                    fmt::format("sessions of the interrupted run (application_name '{}') still "
                                "run on the {} after 30 s",
                                app, where),
                    "end them (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = '" +
                        app + "'), then run the same command again");
}

Result<bool> source_written_since(const pg::ConnInfo& source, int64_t snapshot_xmax) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto now, conn.query("SELECT txid_snapshot_xmax(txid_current_snapshot())"));
  return now.get_int(0, 0) != snapshot_xmax;
}

}  // namespace pgshuttle::copy
