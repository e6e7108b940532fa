#include "sync/sync_source.h"

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <thread>

#include "pg/tools.h"
#include "sql/sync.h"

namespace pgshuttle::sync {
namespace {

// In a read-write transaction: the source may be fenced read-only by
// maintenance mode when the run ends.
Status read_write(pg::Connection& source, const std::string& sql) {
  PGS_TRY(source.exec("BEGIN READ WRITE"));
  Status st = source.exec(sql);
  if (!st.ok()) {
    (void)source.exec("ROLLBACK");
    return st;
  }
  return source.exec("COMMIT");
}

}  // namespace

Status check_source(pg::Connection& source, bool need_slot) {
  PGS_ASSIGN_OR_RETURN(auto r, source.query(sql::sync::source_check));
  if (r.get(0, 0) != "logical") {
    return make_error(
        ErrorCode::kBlocked,
        fmt::format("the source's wal_level is {}: sync needs logical decoding (wal_level = "
                    "logical)",
                    r.get(0, 0)),
        "set wal_level = logical on the source (ALTER SYSTEM SET wal_level = logical, then "
        "restart it; on a managed provider: its logical replication setting, e.g. RDS "
        "rds.logical_replication = 1) and run again");
  }
  if (!r.get_bool(0, 1)) {
    return make_error(
        ErrorCode::kBlocked,
        fmt::format("source role {} may not open a replication session", source.user()),
        fmt::format("ALTER ROLE {} REPLICATION (or the provider's equivalent), or "
                    "connect as a role that has it",
                    source.quote_ident(source.user())));
  }
  if (need_slot && r.get_int(0, 3) >= r.get_int(0, 2)) {
    return make_error(ErrorCode::kBlocked,
                      fmt::format("the source has no free replication slot ({} of {} in use)",
                                  r.get_int(0, 3), r.get_int(0, 2)),
                      "drop an unused slot (SELECT pg_drop_replication_slot(name)) or raise "
                      "max_replication_slots");
  }
  return ok_status();
}

Result<std::optional<std::set<std::string>>> selected_relations(const pg::ConnInfo& source,
                                                                pg::Connection& source_conn,
                                                                pg::Connection& target_conn,
                                                                const ddl::ObjectFilter& filter,
                                                                const std::string& pg_bindir) {
  if (filter.empty()) return std::optional<std::set<std::string>>();
  PGS_ASSIGN_OR_RETURN(auto tools, pg::find_tools(source_conn.server_version() / 10000,
                                                  target_conn.server_version() / 10000, pg_bindir));
  PGS_ASSIGN_OR_RETURN(auto selection, ddl::select_objects(source, filter, tools.pg_dump));
  return std::optional<std::set<std::string>>(std::move(selection.relations));
}

Result<std::vector<SyncTable>> sync_tables(pg::Connection& source,
                                           const std::set<std::string>* selected) {
  PGS_ASSIGN_OR_RETURN(auto r, source.query(sql::sync::tables));
  std::vector<SyncTable> out;
  std::string keyless;
  int refused = 0;
  for (int i = 0; i < r.rows(); ++i) {
    if (selected && !selected->count(r.get(i, 0) + "." + r.get(i, 1))) continue;
    std::string ident = r.get(i, 3);
    bool usable = (ident == "d" && r.get_bool(i, 4)) || (ident == "i" && r.get_bool(i, 5));
    if (!usable) {
      if (++refused <= 10) keyless += (keyless.empty() ? "" : ", ") + r.get(i, 2);
      continue;
    }
    out.push_back({r.get(i, 0), r.get(i, 1), r.get(i, 2)});
  }
  if (refused > 0) {
    if (refused > 10) keyless += fmt::format(" and {} more", refused - 10);
    return make_error(
        ErrorCode::kBlocked,
        fmt::format("{} table(s) have no primary key or replica identity index, so their "
                    "updates and deletes cannot be applied by key: {}",
                    refused, keyless),
        "give each a primary key (ALTER TABLE ... ADD PRIMARY KEY (...)), or point its "
        "replica identity at a unique index on NOT NULL columns (ALTER TABLE ... REPLICA "
        "IDENTITY USING INDEX name); REPLICA IDENTITY FULL is not supported by sync yet");
  }
  if (out.empty()) {
    if (selected) {
      return make_error(ErrorCode::kBlocked, "--include/--exclude select no table to sync",
                        "check the patterns (pg_dump's -n/-t rules: unquoted names fold to "
                        "lower case)");
    }
    return make_error(ErrorCode::kBlocked, "the source database has no table to sync");
  }
  return out;
}

std::string object_name(const std::string& id, const std::string& state_dir) {
  return fmt::format("pgshuttle_{}_{:08x}", id, std::hash<std::string>{}(state_dir)&0xffffffffu);
}

Status create_publication(pg::Connection& source, const std::string& name,
                          const std::vector<SyncTable>& tables) {
  std::string list;
  for (const auto& t : tables) list += (list.empty() ? "" : ", ") + t.qualified;
  PGS_TRY(drop_publication(source, name));
  return read_write(source,
                    "CREATE PUBLICATION " + source.quote_ident(name) + " FOR TABLE " + list);
}

Status drop_publication(pg::Connection& source, const std::string& name) {
  return read_write(source, "DROP PUBLICATION IF EXISTS " + source.quote_ident(name));
}

Status drop_slot(pg::Connection& source, const std::string& slot) {
  // The walsender of a stream just closed may hold the slot a moment longer.
  constexpr int kTries = 100;
  for (int i = 0;; ++i) {
    auto dropped = source.query(sql::sync::drop_slot, {slot});
    if (dropped.ok()) return ok_status();
    if (dropped.error().sqlstate != "55006" || i + 1 >= kTries) return dropped.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace pgshuttle::sync
