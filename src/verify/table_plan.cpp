#include "verify/table_plan.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sql/pg.h"
#include "sql/verify.h"

namespace pgshuttle::verify {
namespace {

// Sampled keys per chunk: enough for even chunks, few enough to be cheap.
constexpr int64_t kSamplesPerChunk = 20;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string key_expr(const KeyColumn& k) {
  return k.ident + (k.collatable ? " COLLATE \"C\"" : "");
}

std::string row_text(const TablePlan& plan) {
  std::vector<std::string> cols;
  for (const auto& c : plan.columns) cols.push_back(c.ident);
  return "ROW(" + join(cols, ", ") + ")::text";
}

std::string key_list(const TablePlan& plan, bool as_text, bool with_collate) {
  std::vector<std::string> cols;
  // Text output columns get aliases: a bare "ORDER BY id" would otherwise sort
  // by the text output column "id" instead of the key itself.
  for (const auto& k : plan.table.key) {
    std::string e = with_collate ? key_expr(k) : k.ident;
    cols.push_back(as_text ? fmt::format("{}::text AS key_{}", e, cols.size()) : e);
  }
  return join(cols, ", ");
}

// "ROW(a COLLATE "C", b) >= ROW($1::text, $2::int)"; advances `next_param`.
std::string bound(const TablePlan& plan, std::string_view op, int& next_param) {
  std::vector<std::string> lhs, rhs;
  for (const auto& k : plan.table.key) {
    lhs.push_back(key_expr(k));
    rhs.push_back(fmt::format("${}::{}", next_param++, k.type));
  }
  if (lhs.size() == 1) return fmt::format("{} {} {}", lhs[0], op, rhs[0]);
  return fmt::format("ROW({}) {} ROW({})", join(lhs, ", "), op, join(rhs, ", "));
}

// The row hash of text expression `rt` as one text value.
std::string row_hash_text(const TablePlan& plan, const std::string& rt) {
  if (plan.hash == RowHash::kMd5) return "md5(" + rt + ")";
  if (plan.hash == RowHash::kHashExtended64) {
    return fmt::format("hashtextextended({} COLLATE \"C\", 0)::text", rt);
  }
  return fmt::format(
      "hashtextextended({0} COLLATE \"C\", 0)::text || '/' || "
      "hashtextextended({0} COLLATE \"C\", 1)::text",
      rt);
}

int param_count(const KeyRange& range, size_t key_size) {
  return static_cast<int>(key_size) * ((range.lower ? 1 : 0) + (range.upper ? 1 : 0));
}

TableInfo table_from_row(const pg::QueryResult& rows, int r) {
  TableInfo t;
  t.schema = rows.get(r, 0);
  t.name = rows.get(r, 1);
  t.relkind = rows.get(r, 2).empty() ? 'r' : rows.get(r, 2)[0];
  t.populated = rows.get_bool(r, 3);
  t.estimated_rows = rows.get_int(r, 4);
  if (!rows.is_null(r, 5)) {
    for (const auto& c : nlohmann::json::parse(rows.get(r, 5))) {
      t.columns.push_back({c[0].get<std::string>(), c[1].get<std::string>()});
    }
  }
  std::sort(t.columns.begin(), t.columns.end());
  if (!rows.is_null(r, 6)) {
    for (const auto& k : nlohmann::json::parse(rows.get(r, 6))) {
      t.key.push_back({k[0].get<std::string>(), k[1].get<std::string>(), k[2].get<std::string>(),
                       k[3].get<bool>()});
    }
  }
  t.ident = rows.get(r, 7);
  return t;
}

}  // namespace

Result<std::vector<TableInfo>> read_tables(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::verify::data_tables));
  PGS_ASSIGN_OR_RETURN(auto hidden, conn.query(sql::pg::row_security_hidden));
  std::map<std::pair<std::string, std::string>, std::string> unreadable;
  for (int r = 0; r < hidden.rows(); ++r) {
    unreadable[{hidden.get(r, 0), hidden.get(r, 1)}] = hidden.get(r, 3);
  }
  std::vector<TableInfo> tables;
  for (int r = 0; r < rows.rows(); ++r) {
    TableInfo t = table_from_row(rows, r);
    auto it = unreadable.find({t.schema, t.name});
    if (it != unreadable.end()) t.unreadable = it->second;
    tables.push_back(std::move(t));
  }
  return tables;
}

Result<std::vector<KeyRange>> plan_chunks(pg::Connection& source, const TableInfo& table,
                                          int64_t chunk_rows) {
  std::vector<KeyRange> chunks;
  bool collatable = std::any_of(table.key.begin(), table.key.end(),
                                [](const KeyColumn& k) { return k.collatable; });
  int64_t n = chunk_rows > 0 ? (table.estimated_rows + chunk_rows - 1) / chunk_rows : 1;
  if (table.key.empty() || collatable || n <= 1) return std::vector<KeyRange>{KeyRange{}};

  // SYSTEM sampling picks whole pages, so a small percentage of a small table
  // can return nothing: widen it until there are enough keys to cut at.
  double pct = std::min(100.0, std::max(0.001, 100.0 * static_cast<double>(n * kSamplesPerChunk) /
                                                   static_cast<double>(table.estimated_rows)));
  TablePlan plan{table, table.columns, {}, {}};
  pg::QueryResult rows;
  for (;;) {
    std::string sql =
        fmt::format("SELECT {} FROM ONLY {} TABLESAMPLE SYSTEM ({:.4f}) ORDER BY {}",
                    key_list(plan, true, false), table.ident, pct, key_list(plan, false, false));
    PGS_ASSIGN_OR_RETURN(rows, source.query(sql));
    if (rows.rows() >= n * kSamplesPerChunk / 2 || pct >= 100.0) break;
    pct = std::min(100.0, pct * 10);
  }
  std::vector<KeyValue> bounds;
  for (int64_t i = 1; i < n; ++i) {
    int row = static_cast<int>(i * rows.rows() / n);
    if (row <= 0 || row >= rows.rows()) continue;
    KeyValue v;
    for (int c = 0; c < rows.columns(); ++c) v.push_back(rows.get(row, c));
    if (bounds.empty() || bounds.back() != v) bounds.push_back(std::move(v));
  }
  std::optional<KeyValue> lower;
  for (const auto& b : bounds) {
    chunks.push_back({lower, b});
    lower = b;
  }
  chunks.push_back({lower, std::nullopt});
  return chunks;
}

std::string from_clause(const TablePlan& plan) { return "ONLY " + plan.table.ident; }

std::string range_predicate(const TablePlan& plan, const KeyRange& range) {
  int next = 1;
  std::vector<std::string> parts;
  if (range.lower) parts.push_back(bound(plan, ">=", next));
  if (range.upper) parts.push_back(bound(plan, "<", next));
  return parts.empty() ? "true" : join(parts, " AND ");
}

std::vector<std::optional<std::string>> range_params(const KeyRange& range) {
  std::vector<std::optional<std::string>> params;
  if (range.lower) params.insert(params.end(), range.lower->begin(), range.lower->end());
  if (range.upper) params.insert(params.end(), range.upper->begin(), range.upper->end());
  return params;
}

std::string checksum_sql(const TablePlan& plan, const KeyRange& range) {
  std::string inner = fmt::format("SELECT {} AS rt FROM {} WHERE {}", row_text(plan),
                                  from_clause(plan), range_predicate(plan, range));
  if (plan.hash == RowHash::kHashExtended64) {
    return fmt::format(
        "SELECT count(*), coalesce(sum(hashtextextended(rt COLLATE \"C\", 0)), 0), 0 "
        "FROM ({}) AS s",
        inner);
  }
  if (plan.hash == RowHash::kHashExtended128) {
    return fmt::format(
        "SELECT count(*), coalesce(sum(hashtextextended(rt COLLATE \"C\", 0)), 0), "
        "coalesce(sum(hashtextextended(rt COLLATE \"C\", 1)), 0) FROM ({}) AS s",
        inner);
  }
  return fmt::format(
      "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0), "
      "coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0) "
      "FROM (SELECT md5(rt) AS h FROM ({}) AS r) AS s",
      inner);
}

std::string rows_sql(const TablePlan& plan, const KeyRange& range) {
  std::vector<std::string> cols;
  for (const auto& c : plan.columns) cols.push_back(c.ident + "::text");
  return fmt::format("SELECT {}, {}{}{} FROM {} WHERE {}", key_list(plan, true, false),
                     row_hash_text(plan, row_text(plan)), cols.empty() ? "" : ", ",
                     join(cols, ", "), from_clause(plan), range_predicate(plan, range));
}

std::string key_at_offset_sql(const TablePlan& plan, const KeyRange& range) {
  return fmt::format("SELECT {} FROM {} WHERE {} ORDER BY {} OFFSET ${} LIMIT 1",
                     key_list(plan, true, false), from_clause(plan), range_predicate(plan, range),
                     key_list(plan, false, true), param_count(range, plan.table.key.size()) + 1);
}

std::string key_hash_sql(const TablePlan& plan, const KeyRange& range) {
  return fmt::format("SELECT {}, {} FROM {} WHERE {}", key_list(plan, true, false),
                     row_hash_text(plan, row_text(plan)), from_clause(plan),
                     range_predicate(plan, range));
}

std::string keyed_rows_sql(const TablePlan& plan) {
  std::vector<std::string> defs{"pgshuttle_ord int"}, on;
  for (size_t i = 0; i < plan.table.key.size(); ++i) {
    const KeyColumn& k = plan.table.key[i];
    defs.push_back(fmt::format("pgshuttle_k{} {}", i, k.type));
    on.push_back(fmt::format("r.{} = k.pgshuttle_k{}", k.ident, i));
  }
  return fmt::format(
      "SELECT k.pgshuttle_ord, r.ctid IS NOT NULL, {} FROM json_to_recordset($1::json) AS k({}) "
      "LEFT JOIN ONLY {} AS r ON {}",
      row_hash_text(plan, row_text(plan)), join(defs, ", "), plan.table.ident, join(on, " AND "));
}

std::string multiset_sql(const TablePlan& plan) {
  return fmt::format(
      "SELECT {}, count(*), min(rt COLLATE \"C\") FROM (SELECT {} AS rt FROM {}) AS s "
      "GROUP BY 1",
      row_hash_text(plan, "rt"), row_text(plan), from_clause(plan));
}

std::string_view row_hash_name(RowHash hash) {
  switch (hash) {
    case RowHash::kHashExtended64:
      return "hashtextextended, seed 0 (64 bits)";
    case RowHash::kHashExtended128:
      return "hashtextextended, seeds 0 and 1 (128 bits)";
    case RowHash::kMd5:
      break;
  }
  return "md5 (128 bits)";
}

Result<RowHash> choose_row_hash(pg::Connection& source, pg::Connection& target, RowHash wanted) {
  constexpr std::string_view probe =
      "SELECT hashtextextended(v COLLATE \"C\", 0)::text || '/' || "
      "hashtextextended(v COLLATE \"C\", 1)::text "
      "FROM (VALUES ('pgshuttle verify: (1,\"a b\",,3.5)'), ('x')) AS p(v) ORDER BY v COLLATE "
      "\"C\"";
  PGS_ASSIGN_OR_RETURN(auto s, source.query(probe));
  PGS_ASSIGN_OR_RETURN(auto t, target.query(probe));
  for (int r = 0; r < s.rows() && r < t.rows(); ++r) {
    if (s.get(r, 0) != t.get(r, 0)) return RowHash::kMd5;
  }
  return wanted;
}

std::string describe_key(const std::vector<KeyColumn>& key, const KeyValue& value) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < key.size() && i < value.size(); ++i) {
    parts.push_back(key[i].name + "=" + value[i]);
  }
  return join(parts, ", ");
}

}  // namespace pgshuttle::verify
