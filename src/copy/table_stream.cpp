#include "copy/table_stream.h"

#include <fmt/format.h>

#include "copy/copy_state.h"
#include "core/cancel.h"
#include "core/fault.h"

namespace pgshuttle::copy {

std::string source_copy_sql(const TableInfo& t, const std::optional<CtidRange>& range) {
  std::string where;
  if (t.extension_config && !t.extension_condition.empty()) where = " " + t.extension_condition;
  if (range) {
    where = fmt::format(" WHERE ctid >= '({},0)'::tid", range->first_page);
    if (range->end_page) where += fmt::format(" AND ctid < '({},0)'::tid", *range->end_page);
  }
  return fmt::format("COPY (SELECT {} FROM ONLY {}{}) TO STDOUT{}", t.columns, t.qualified, where,
                     t.binary ? " WITH (FORMAT binary)" : "");
}

std::string target_copy_sql(const TableInfo& t, bool freeze) {
  std::string cols = t.columns.empty() ? "" : " (" + t.columns + ")";
  std::string with;
  if (t.binary && freeze) {
    with = " WITH (FORMAT binary, FREEZE)";
  } else if (t.binary) {
    with = " WITH (FORMAT binary)";
  } else if (freeze) {
    with = " WITH (FREEZE)";
  }
  return fmt::format("COPY {}{} FROM STDIN{}", t.qualified, cols, with);
}

CtidRange range_of(int64_t pages, int index, int count) {
  int64_t per = (pages + count - 1) / count;
  CtidRange r;
  r.first_page = per * index;
  // The last range is open-ended so rows on pages added since the size was
  // read are not lost.
  if (index + 1 < count) r.end_page = per * (index + 1);
  return r;
}

namespace {

Result<StreamResult> pump(pg::Connection& source, pg::Connection& target, const std::string& table,
                          std::atomic<uint64_t>* bytes_seen) {
  StreamResult out;
  for (;;) {
    auto chunk = source.copy_out_chunk();
    if (!chunk.ok()) {
      target.copy_in_abort("source failed");
      return std::move(chunk).error();
    }
    if (!chunk->has_value()) break;
    if (cancelled()) {
      target.copy_in_abort("copy cancelled");
      return make_error(ErrorCode::kCancelled, "copy cancelled");
    }
    std::string_view data = **chunk;
    out.bytes += static_cast<int64_t>(data.size());
    if (bytes_seen) bytes_seen->fetch_add(data.size());
    PGS_TRY(target.copy_in_put(data));
    if (out.bytes == static_cast<int64_t>(data.size())) fault::hit("copy:stream:" + table);
  }
  PGS_ASSIGN_OR_RETURN(out.rows, target.copy_in_end());
  return out;
}

std::string user_rows(const TableInfo& t) {
  return t.extension_condition.empty() ? "" : " " + t.extension_condition;
}

// An extension's configuration table with no user rows on either side (the
// usual case: nobody added a custom SRID) needs no write at all, so a target
// role that may not write the admin's extension table is not refused.
Result<bool> no_user_rows_on_either_side(pg::Connection& source, pg::Connection& target,
                                         const TableInfo& t) {
  std::string sql = "SELECT EXISTS (SELECT 1 FROM ONLY " + t.qualified + user_rows(t) + ")";
  PGS_ASSIGN_OR_RETURN(auto on_source, source.query(sql));
  if (on_source.get_bool(0, 0)) return false;
  PGS_ASSIGN_OR_RETURN(auto on_target, target.query(sql));
  return !on_target.get_bool(0, 0);
}

Error extension_config_error(Error e, const TableInfo& t) {
  if (e.sqlstate == "42501") {
    e.hint =
        "the extension's configuration table belongs to the role that created the "
        "extension; have it GRANT SELECT, INSERT, DELETE ON " +
        t.qualified + " to the target role, or copy as that role";
  }
  return e;
}

}  // namespace

Result<StreamResult> stream_unit(pg::Connection& source, pg::Connection& target,
                                 const TableInfo& table, const std::optional<CtidRange>& range,
                                 std::atomic<uint64_t>* bytes_seen, bool quiet_triggers) {
  bool whole = !range.has_value() && !table.extension_config;
  if (table.extension_config) {
    PGS_ASSIGN_OR_RETURN(bool nothing, no_user_rows_on_either_side(source, target, table));
    if (nothing) return StreamResult{};
  }
  PGS_TRY(target.exec("BEGIN"));
  if (table.extension_config) {
    // The rows the extension's filter selects are the user's; the others
    // are CREATE EXTENSION's own and stay.
    Status deleted = target.exec("DELETE FROM ONLY " + table.qualified + user_rows(table));
    if (!deleted.ok()) {
      (void)target.exec("ROLLBACK");
      return extension_config_error(std::move(deleted).error(), table);
    }
  }
  if (whole) PGS_TRY(target.exec("TRUNCATE ONLY " + table.qualified));
  // tgenabled: 'O' fires in origin sessions, 'A' always; 'R' (replica only)
  // and 'D' (disabled) do not fire here and are left alone.
  std::string restore_triggers;
  if (quiet_triggers) {
    PGS_ASSIGN_OR_RETURN(auto trig,
                         target.query("SELECT quote_ident(tgname), tgenabled FROM "
                                      "pg_catalog.pg_trigger WHERE tgrelid = $1::regclass "
                                      "AND NOT tgisinternal AND tgenabled IN ('O', 'A')",
                                      {table.qualified}));
    for (int i = 0; i < trig.rows(); ++i) {
      std::string alter = "ALTER TABLE ONLY " + table.qualified;
      PGS_TRY(target.exec(alter + " DISABLE TRIGGER " + trig.get(i, 0)));
      restore_triggers += alter +
                          (trig.get(i, 1) == "A" ? " ENABLE ALWAYS TRIGGER " : " ENABLE TRIGGER ") +
                          trig.get(i, 0) + ";\n";
    }
  }
  PGS_TRY(target.copy_in_start(target_copy_sql(table, whole)));
  Status started = source.copy_out_start(source_copy_sql(table, range));
  if (!started.ok()) {
    target.copy_in_abort("source failed");
    return std::move(started).error();
  }
  PGS_ASSIGN_OR_RETURN(auto result, pump(source, target, table.qualified, bytes_seen));
  if (!restore_triggers.empty()) PGS_TRY(target.exec(restore_triggers));
  PGS_TRY(target.exec("COMMIT"));
  return result;
}

}  // namespace pgshuttle::copy
