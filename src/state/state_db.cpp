#include "state/state_db.h"

#include <array>
#include <string_view>

#include "sql/state.h"
#include "state/private_files.h"

namespace pgshuttle::state {
namespace {

// Step N brings a file at version N-1 to version N. Step 1 is the registry
// as it was before versions were recorded: every statement in it is
// idempotent, so a file of that time (user_version 0) takes it unharmed.
constexpr std::array<std::string_view, 3> kSteps = {sql::state::schema, sql::state::run_store,
                                                    sql::state::transfers_v3};

Result<int> schema_version(SqliteDb& db) {
  PGS_ASSIGN_OR_RETURN(auto st, db.prepare("PRAGMA user_version"));
  PGS_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? static_cast<int>(st.column_int(0)) : 0;
}

Error newer_schema(const std::string& path, int version) {
  return make_error(ErrorCode::kUsage,
                    "the state database " + path + " was written by a newer pgshuttle (schema " +
                        std::to_string(version) + ", this one knows up to " +
                        std::to_string(current_schema_version()) + ")",
                    "run the newer pgshuttle, or give this one another --state-dir");
}

Status upgrade(SqliteDb& db, const std::string& path) {
  PGS_ASSIGN_OR_RETURN(int seen, schema_version(db));
  if (seen == current_schema_version()) return ok_status();
  if (seen > current_schema_version()) return newer_schema(path, seen);
  PGS_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::begin(db));
  // Another process may have upgraded between the read and the lock.
  PGS_ASSIGN_OR_RETURN(int version, schema_version(db));
  if (version > current_schema_version()) return newer_schema(path, version);
  for (int step = version + 1; step <= current_schema_version(); ++step) {
    PGS_TRY(db.exec(std::string(kSteps[static_cast<size_t>(step - 1)])));
  }
  PGS_TRY(db.exec("PRAGMA user_version = " + std::to_string(current_schema_version())));
  return tx.commit();
}

}  // namespace

int current_schema_version() { return static_cast<int>(kSteps.size()); }

Result<SqliteDb> open_state_db(const std::string& state_dir) {
  PGS_TRY(make_private_dir(state_dir));
  std::string path = state_dir + "/transfers.db";
  PGS_TRY(make_private_file(path));
  PGS_ASSIGN_OR_RETURN(auto db, SqliteDb::open(path));
  PGS_TRY(db.exec("PRAGMA journal_mode=WAL"));
  PGS_TRY(db.exec("PRAGMA synchronous=NORMAL"));
  PGS_TRY(upgrade(db, path));
  return db;
}

}  // namespace pgshuttle::state
