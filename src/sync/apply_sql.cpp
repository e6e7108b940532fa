#include "sync/apply_sql.h"

namespace pgshuttle::sync {
namespace {

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string values_list(const std::vector<RowExprs>& rows) {
  std::string out;
  for (const auto& r : rows) {
    if (!out.empty()) out += ", ";
    out += "(" + join(r, ", ") + ")";
  }
  return out;
}

std::vector<std::string> names(const TableShape& t, const std::vector<int>& cols) {
  std::vector<std::string> out;
  out.reserve(cols.size());
  for (int c : cols) out.push_back(t.columns[static_cast<size_t>(c)]);
  return out;
}

// "t.k1 = v.k1 AND t.k2 = v.k2"
std::string key_match(const TableShape& t) {
  std::vector<std::string> parts;
  for (int k : key_columns(t)) {
    const auto& c = t.columns[static_cast<size_t>(k)];
    std::string part = "t." + c;
    part.append(" = v.").append(c);
    parts.push_back(std::move(part));
  }
  return join(parts, " AND ");
}

}  // namespace

std::vector<int> key_columns(const TableShape& t) {
  std::vector<int> out;
  for (size_t i = 0; i < t.key.size(); ++i) {
    if (t.key[i]) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::string upsert_sql(const TableShape& t, const std::vector<RowExprs>& rows) {
  std::vector<std::string> keys, sets;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.key[i]) {
      keys.push_back(t.columns[i]);
    } else {
      sets.push_back(t.columns[i] + " = EXCLUDED." + t.columns[i]);
    }
  }
  std::string sql = "INSERT INTO " + t.qualified + " AS t (" + join(t.columns, ", ") + ") VALUES " +
                    values_list(rows) + " ON CONFLICT (" + join(keys, ", ") + ") ";
  return sql + (sets.empty() ? "DO NOTHING" : "DO UPDATE SET " + join(sets, ", "));
}

std::string update_sql(const TableShape& t, const std::vector<int>& cols,
                       const std::vector<RowExprs>& rows) {
  std::vector<std::string> sets;
  for (int c : cols) {
    if (t.key[static_cast<size_t>(c)]) continue;
    const auto& n = t.columns[static_cast<size_t>(c)];
    std::string set = n;
    set.append(" = v.").append(n);
    sets.push_back(std::move(set));
  }
  // Only key columns sent: the row is unchanged as far as the target can tell.
  if (sets.empty()) return {};
  return "UPDATE " + t.qualified + " AS t SET " + join(sets, ", ") + " FROM (VALUES " +
         values_list(rows) + ") AS v(" + join(names(t, cols), ", ") + ") WHERE " + key_match(t);
}

std::string delete_sql(const TableShape& t, const std::vector<RowExprs>& keys) {
  return "DELETE FROM " + t.qualified + " AS t USING (VALUES " + values_list(keys) + ") AS v(" +
         join(names(t, key_columns(t)), ", ") + ") WHERE " + key_match(t);
}

std::string update_key_sql(const TableShape& t, const std::vector<int>& cols,
                           const RowExprs& values, const RowExprs& old_key) {
  std::vector<std::string> sets, where;
  for (size_t i = 0; i < cols.size(); ++i) {
    sets.push_back(t.columns[static_cast<size_t>(cols[i])] + " = " + values[i]);
  }
  auto keys = key_columns(t);
  for (size_t i = 0; i < keys.size(); ++i) {
    where.push_back(t.columns[static_cast<size_t>(keys[i])] + " = " + old_key[i]);
  }
  return "UPDATE " + t.qualified + " SET " + join(sets, ", ") + " WHERE " + join(where, " AND ");
}

}  // namespace pgshuttle::sync
