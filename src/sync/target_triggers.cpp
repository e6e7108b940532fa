#include "sync/target_triggers.h"

#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "core/log.h"
#include "sql/sync.h"

namespace pgshuttle::sync {
namespace {

using TriggerList = std::set<std::pair<std::string, std::string>>;

constexpr std::string_view kKey = "disabled_triggers";

// One "table\ttrigger" a line; a tab or newline in a name would need more,
// and the server's quoting of the table never yields one unquoted.
Result<TriggerList> read_list(state::RunStore& store) {
  PGS_ASSIGN_OR_RETURN(auto text, store.value(kKey));
  TriggerList out;
  std::istringstream in(text.value_or(""));
  for (std::string line; std::getline(in, line);) {
    auto tab = line.find('\t');
    if (tab != std::string::npos) out.emplace(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

Status write_list(state::RunStore& store, const TriggerList& list) {
  std::string text;
  for (const auto& [table, trigger] : list)
    text.append(table).append(1, '\t').append(trigger) += '\n';
  return store.set_value(kKey, text);
}

}  // namespace

Result<int> disable_target_triggers(pg::Connection& target, state::RunStore& store) {
  PGS_ASSIGN_OR_RETURN(auto rows, target.query(sql::sync::target_triggers));
  if (rows.rows() == 0) return 0;
  PGS_ASSIGN_OR_RETURN(TriggerList list, read_list(store));
  for (int i = 0; i < rows.rows(); ++i) list.emplace(rows.get(i, 0), rows.get(i, 1));
  PGS_TRY(write_list(store, list));
  for (int i = 0; i < rows.rows(); ++i) {
    PGS_TRY(target.exec("ALTER TABLE " + rows.get(i, 0) + " DISABLE TRIGGER " +
                        target.quote_ident(rows.get(i, 1))));
  }
  log::info(
      "{} trigger(s) of the target off while changes are applied (the source's already "
      "fired); on again at cutover",
      rows.rows());
  return rows.rows();
}

Status enable_target_triggers(pg::Connection& target, state::RunStore& store) {
  PGS_ASSIGN_OR_RETURN(TriggerList list, read_list(store));
  for (const auto& [table, trigger] : list) {
    PGS_ASSIGN_OR_RETURN(auto exists,
                         target.query("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = "
                                      "pg_catalog.to_regclass($1) AND tgname = $2",
                                      {table, trigger}));
    if (exists.rows() == 0) continue;
    PGS_TRY(target.exec("ALTER TABLE " + table + " ENABLE TRIGGER " + target.quote_ident(trigger)));
  }
  if (!list.empty()) log::info("{} trigger(s) of the target on again", list.size());
  return store.set_value(kKey, "");
}

}  // namespace pgshuttle::sync
