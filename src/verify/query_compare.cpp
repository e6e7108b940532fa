#include "verify/query_compare.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pgshuttle::verify {
namespace {

constexpr int kMaxDifferencesPerQuery = 10;

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

using Row = std::vector<std::optional<std::string>>;

std::string show_row(const Row& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ", ";
    out += row[i] ? *row[i] : "NULL";
  }
  return out + ")";
}

struct Table {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

Table read_table(const pg::QueryResult& q) {
  Table t;
  for (int c = 0; c < q.columns(); ++c) t.columns.push_back(q.column_name(c));
  for (int r = 0; r < q.rows(); ++r) {
    Row row;
    for (int c = 0; c < q.columns(); ++c) row.push_back(q.get_optional(r, c));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Difference query_difference(const std::string& name, std::string problem) {
  Difference d;
  d.kind = "query";
  d.object = name;
  d.problem = std::move(problem);
  return d;
}

void compare_ordered(const std::string& name, const Table& s, const Table& t,
                     std::vector<Difference>& out) {
  int shown = 0;
  size_t n = std::max(s.rows.size(), t.rows.size());
  for (size_t i = 0; i < n && shown < kMaxDifferencesPerQuery; ++i) {
    bool has_s = i < s.rows.size(), has_t = i < t.rows.size();
    if (has_s && has_t && s.rows[i] == t.rows[i]) continue;
    auto d = query_difference(name, fmt::format("row {} differs", i + 1));
    d.source_value = has_s ? show_row(s.rows[i]) : "(no row)";
    d.target_value = has_t ? show_row(t.rows[i]) : "(no row)";
    out.push_back(std::move(d));
    ++shown;
  }
}

void compare_multiset(const std::string& name, Table s, Table t, std::vector<Difference>& out) {
  std::sort(s.rows.begin(), s.rows.end());
  std::sort(t.rows.begin(), t.rows.end());
  std::vector<Row> missing, extra;
  std::set_difference(s.rows.begin(), s.rows.end(), t.rows.begin(), t.rows.end(),
                      std::back_inserter(missing));
  std::set_difference(t.rows.begin(), t.rows.end(), s.rows.begin(), s.rows.end(),
                      std::back_inserter(extra));
  int shown = 0;
  for (const auto& r : missing) {
    if (shown++ >= kMaxDifferencesPerQuery) break;
    auto d = query_difference(name, "row missing on target");
    d.source_value = show_row(r);
    out.push_back(std::move(d));
  }
  for (const auto& r : extra) {
    if (shown++ >= kMaxDifferencesPerQuery) break;
    auto d = query_difference(name, "extra row on target");
    d.target_value = show_row(r);
    out.push_back(std::move(d));
  }
}

}  // namespace

std::vector<std::string> split_queries(const std::string& text) {
  std::vector<std::string> queries;
  std::string current;
  auto flush = [&] {
    std::string q = trim(current);
    if (!q.empty()) queries.push_back(q);
    current.clear();
  };
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::string t = trim(line);
    if (t.rfind("--", 0) == 0) continue;
    if (t.empty()) {
      flush();
      continue;
    }
    if (t.back() == ';') {
      current += t.substr(0, t.size() - 1);
      flush();
      continue;
    }
    current += line + "\n";
  }
  flush();
  return queries;
}

bool has_outer_order_by(const std::string& sql) {
  int depth = 0;
  std::string prev_word, word;
  bool found = false;
  auto end_word = [&] {
    if (word.empty()) return;
    if (depth == 0 && prev_word == "order" && word == "by") found = true;
    prev_word = word;
    word.clear();
  };
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      end_word();
      size_t close = sql.find(c, i + 1);
      i = close == std::string::npos ? sql.size() : close;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      end_word();
      size_t nl = sql.find('\n', i);
      i = nl == std::string::npos ? sql.size() : nl;
    } else if (c == '(' || c == ')') {
      end_word();
      prev_word.clear();
      depth += c == '(' ? 1 : -1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      end_word();
    }
  }
  end_word();
  return found;
}

namespace {

// Runs one query on both sides and compares; a failure on the target is a
// difference, a failure on the source an error (the query itself is wrong).
Status compare_one(pg::Connection& source, pg::Connection& target, QueryResultSummary& sum,
                   std::vector<Difference>& differences) {
  auto started = std::chrono::steady_clock::now();
  auto sq = source.query(sum.sql);
  if (!sq.ok()) return sq.error().with_context("query " + sum.name);
  // A savepoint keeps the target's snapshot transaction usable if it fails.
  PGS_TRY(target.exec("SAVEPOINT verify_query"));
  auto tq = target.query(sum.sql);
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  size_t before = differences.size();
  if (!tq.ok()) {
    PGS_TRY(target.exec("ROLLBACK TO SAVEPOINT verify_query"));
    auto d = query_difference(sum.name, "fails on target");
    d.target_value = tq.error().message;
    differences.push_back(std::move(d));
  } else {
    Table s = read_table(*sq), t = read_table(*tq);
    sum.source_rows = static_cast<int64_t>(s.rows.size());
    sum.target_rows = static_cast<int64_t>(t.rows.size());
    if (s.columns != t.columns) {
      auto d = query_difference(sum.name, "columns differ");
      d.source_value = fmt::format("{}", fmt::join(s.columns, ", "));
      d.target_value = fmt::format("{}", fmt::join(t.columns, ", "));
      differences.push_back(std::move(d));
    } else if (sum.ordered) {
      compare_ordered(sum.name, s, t, differences);
    } else {
      compare_multiset(sum.name, std::move(s), std::move(t), differences);
    }
  }
  sum.match = differences.size() == before;
  return ok_status();
}

}  // namespace

Status compare_query_file(pg::Connection& source, pg::Connection& target, const std::string& file,
                          std::vector<QueryResultSummary>& summaries,
                          std::vector<Difference>& differences) {
  std::ifstream in(file);
  if (!in) {
    return make_error(ErrorCode::kUsage, "cannot read query file " + file,
                      "check the path given to --query-file");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto queries = split_queries(text.str());
  for (size_t i = 0; i < queries.size(); ++i) {
    QueryResultSummary sum;
    sum.name = fmt::format("{}:{}", file, i + 1);
    sum.sql = queries[i];
    sum.ordered = has_outer_order_by(queries[i]);
    PGS_TRY(compare_one(source, target, sum, differences));
    summaries.push_back(std::move(sum));
  }
  return ok_status();
}

}  // namespace pgshuttle::verify
