#include <algorithm>

#include <fmt/format.h>

#include "verify/report.h"

namespace pgshuttle::verify {
namespace {

constexpr size_t kMaxValueWidth = 120;

std::string clip(const std::string& s) {
  std::string one_line = s;
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  if (one_line.size() > kMaxValueWidth) one_line = one_line.substr(0, kMaxValueWidth) + "...";
  return one_line;
}

std::string difference_line(const Difference& d) {
  std::string_view tag = d.severity == Severity::kWarning     ? "WARN"
                         : d.severity == Severity::kKnownSkip ? "SKIP"
                                                              : "DIFF";
  std::string line = fmt::format("  {} {} {}", tag, d.kind, d.object);
  if (!d.property.empty()) line += " [" + d.property + "]";
  line += ": " + d.problem;
  if (!d.source_value.empty()) line += "\n      source: " + clip(d.source_value);
  if (!d.target_value.empty()) line += "\n      target: " + clip(d.target_value);
  return line + "\n";
}

}  // namespace

std::string to_text(const VerifyReport& r) {
  std::string out = fmt::format("verify {} -> {}\n", r.source, r.target);
  size_t width = 5;
  for (const auto& t : r.tables) width = std::max(width, t.qualified().size());
  if (!r.tables.empty()) {
    out += fmt::format("\n{:<{}}  {:<7}  {:>12}  {:>12}  {:>6}  {:>8}\n", "table", width, "status",
                       "source rows", "target rows", "chunks", "seconds");
    for (const auto& t : r.tables) {
      out += fmt::format("{:<{}}  {:<7}  {:>12}  {:>12}  {:>6}  {:>8.2f}\n", t.qualified(), width,
                         table_status_name(t.status), t.source_rows, t.target_rows, t.chunks,
                         t.seconds);
    }
  }
  for (const auto& q : r.queries) {
    out += fmt::format("query {}: {} ({} / {} rows, {})\n", q.name, q.match ? "match" : "differ",
                       q.source_rows, q.target_rows, q.ordered ? "ordered" : "multiset");
  }
  if (!r.differences.empty()) out += "\n";
  for (const auto& d : r.differences) out += difference_line(d);
  out += fmt::format(
      "\n{}: {} schema objects, {} tables, {} queries compared; {} differences, {} warnings{} "
      "({:.1f}s)\n",
      r.verdict(), r.schema_objects, r.tables.size(), r.queries.size(), r.difference_count(),
      r.warning_count(),
      r.known_skip_count() ? fmt::format(", {} known skips", r.known_skip_count()) : "", r.seconds);
  return out;
}

}  // namespace pgshuttle::verify
