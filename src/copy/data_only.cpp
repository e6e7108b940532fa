#include "copy/data_only.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "ddl/ddl_apply.h"
#include "sql/copy.h"

namespace pgshuttle::copy {
namespace {

constexpr const char* kStateKey = "data_only_foreign_keys";

std::string alter_table(const SavedForeignKey& k) {
  // A partitioned table's key covers its partitions: no ONLY.
  return fmt::format("ALTER TABLE {}{}", k.partitioned ? "" : "ONLY ", k.qualified);
}

std::string add_key(const SavedForeignKey& k) {
  return "post:" + ddl::item_label(foreign_key_script({k}).items.front());
}

// The keys of `keys` whose re-add `state` has not recorded.
std::vector<const SavedForeignKey*> still_off(CopyState& state,
                                              const std::vector<SavedForeignKey>& keys) {
  std::vector<const SavedForeignKey*> off;
  for (const auto& k : keys) {
    if (!state.is_done(add_key(k))) off.push_back(&k);
  }
  return off;
}

Result<std::vector<SavedForeignKey>> read_foreign_keys(pg::Connection& target,
                                                       const std::vector<std::string>& tables) {
  PGS_TRY(target.exec("BEGIN"));
  PGS_TRY(target.exec("SET LOCAL search_path = pg_catalog"));
  auto rows = target.query(sql::copy::target_foreign_keys, {nlohmann::json(tables).dump()});
  PGS_TRY(target.exec(rows.ok() ? "COMMIT" : "ROLLBACK"));
  PGS_ASSIGN_OR_RETURN(auto r, std::move(rows));
  std::vector<SavedForeignKey> keys;
  for (int i = 0; i < r.rows(); ++i) {
    keys.push_back(
        {r.get(i, 0), r.get(i, 1), r.get(i, 2), r.get_bool(i, 3), r.get(i, 4), r.get(i, 5)});
  }
  return keys;
}

}  // namespace

Status guard_loaded_tables(pg::Connection& target, const std::vector<std::string>& tables,
                           const std::string& confirm) {
  std::string db = target.database();
  if (confirm == db) return ok_status();
  if (tables.empty()) return ok_status();
  // One round trip for all tables: a managed target may be far away.
  std::string sql;
  for (size_t i = 0; i < tables.size(); ++i) {
    sql += fmt::format("{}SELECT {} WHERE EXISTS (SELECT 1 FROM ONLY {})", i ? " UNION ALL " : "",
                       i, tables[i]);
  }
  PGS_ASSIGN_OR_RETURN(auto rows, target.query(sql + " ORDER BY 1"));
  std::vector<std::string> holding;
  for (int r = 0; r < rows.rows(); ++r) holding.push_back(tables[rows.get_int(r, 0)]);
  if (holding.empty()) return ok_status();
  std::string shown;
  for (size_t i = 0; i < holding.size() && i < 5; ++i) shown += (i ? ", " : "") + holding[i];
  if (holding.size() > 5) shown += fmt::format(" and {} more", holding.size() - 5);
  return make_error(
      ErrorCode::kTargetNotEmpty,
      fmt::format("{} of the tables to load already hold rows on target database {}: {}",
                  holding.size(), db, shown),
      fmt::format("--data-only replaces their rows; to go ahead pass --confirm {}", db));
}

Result<std::vector<SavedForeignKey>> take_off_foreign_keys(pg::Connection& target, CopyState& state,
                                                           const std::vector<std::string>& tables) {
  std::string saved = state.get_meta(kStateKey);
  std::vector<SavedForeignKey> keys;
  if (saved.empty()) {
    PGS_ASSIGN_OR_RETURN(keys, read_foreign_keys(target, tables));
    // Saved before anything is dropped: a kill after this point still knows
    // every key to put back.
    PGS_TRY(state.set_meta(kStateKey, encode_foreign_keys(keys)));
  } else {
    PGS_ASSIGN_OR_RETURN(keys, decode_foreign_keys(saved));
  }
  auto off = still_off(state, keys);
  if (off.empty()) return keys;
  std::string drops;
  for (const SavedForeignKey* k : off) {
    drops += fmt::format("{} DROP CONSTRAINT IF EXISTS {};\n", alter_table(*k), k->name);
  }
  log::info(
      "--data-only: taking off {} foreign keys that touch the loaded tables (TRUNCATE and "
      "the load order need it); each is added back NOT VALID and validated after the load",
      off.size());
  PGS_TRY(target.exec("BEGIN;\n" + drops + "COMMIT;"));
  return keys;
}

Result<int> keys_still_off(CopyState& state) {
  std::string saved = state.get_meta(kStateKey);
  if (saved.empty()) return 0;
  PGS_ASSIGN_OR_RETURN(auto keys, decode_foreign_keys(saved));
  return static_cast<int>(still_off(state, keys).size());
}

ddl::DdlScript foreign_key_script(const std::vector<SavedForeignKey>& keys) {
  ddl::DdlScript script;
  for (const auto& k : keys) {
    ddl::DdlItem item;
    item.type = "FK CONSTRAINT";
    item.schema = k.schema;
    item.name = k.table + " " + k.name;
    item.sql = fmt::format("{}\n    ADD CONSTRAINT {} {};\n", alter_table(k), k.name, k.definition);
    script.items.push_back(std::move(item));
  }
  return script;
}

Result<std::vector<ddl::DdlItem>> matview_refreshes(pg::Connection& source) {
  PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::copy::populated_matviews));
  std::vector<ddl::DdlItem> items;
  for (int i = 0; i < rows.rows(); ++i) {
    items.push_back({"MATERIALIZED VIEW DATA", rows.get(i, 1), rows.get(i, 2),
                     "REFRESH MATERIALIZED VIEW " + rows.get(i, 0) + ";\n", ""});
  }
  return items;
}

std::string encode_foreign_keys(const std::vector<SavedForeignKey>& keys) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : keys) {
    out.push_back({{"schema", k.schema},
                   {"table", k.table},
                   {"qualified", k.qualified},
                   {"partitioned", k.partitioned},
                   {"name", k.name},
                   {"definition", k.definition}});
  }
  return out.dump();
}

Result<std::vector<SavedForeignKey>> decode_foreign_keys(const std::string& text) {
  std::vector<SavedForeignKey> keys;
  try {
    for (const auto& k : nlohmann::json::parse(text)) {
      keys.push_back({k.at("schema"), k.at("table"), k.at("qualified"), k.at("partitioned"),
                      k.at("name"), k.at("definition")});
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(
        ErrorCode::kInternal,
        fmt::format("the saved foreign keys of this run are unreadable: {}", e.what()),
        "re-add the foreign keys by hand from the state file, then start over");
  }
  return keys;
}

}  // namespace pgshuttle::copy
