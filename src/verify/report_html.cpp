#include <fmt/format.h>

#include "verify/report.h"

namespace pgshuttle::verify {
namespace {

constexpr std::string_view kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { margin: 0; white-space: pre-wrap; max-width: 60em; }
.passed { color: #176f2c; } .failed { color: #b00020; }
tr.match td.status { background: #e6f4ea; } tr.differ td.status, tr.missing td.status,
tr.extra td.status, tr.difference td.sev { background: #fde7e9; }
tr.skipped td.status, tr.warning td.sev { background: #fff4d6; }
)";

std::string table_rows(const VerifyReport& r) {
  std::string out;
  for (const auto& t : r.tables) {
    out += fmt::format(
        "<tr class=\"{0}\"><td>{1}</td><td class=\"status\">{0}</td><td class=\"num\">{2}</td>"
        "<td class=\"num\">{3}</td><td class=\"num\">{4}</td><td class=\"num\">{5}</td>"
        "<td class=\"num\">{6}</td><td class=\"num\">{7}</td><td class=\"num\">{8:.3f}</td>"
        "<td>{9}</td></tr>\n",
        table_status_name(t.status), xml_escape(t.qualified()), t.source_rows, t.target_rows,
        t.missing_rows, t.extra_rows, t.changed_rows, t.chunks, t.seconds, xml_escape(t.note));
  }
  return out;
}

std::string difference_rows(const VerifyReport& r) {
  std::string out;
  for (const auto& d : r.differences) {
    std::string_view sev = severity_name(d.severity);
    out += fmt::format(
        "<tr class=\"{0}\"><td class=\"sev\">{0}</td><td>{1}</td><td>{2}</td><td>{3}</td>"
        "<td>{4}</td><td><pre>{5}</pre></td><td><pre>{6}</pre></td></tr>\n",
        sev, xml_escape(d.kind), xml_escape(d.object), xml_escape(d.property),
        xml_escape(d.problem), xml_escape(d.source_value), xml_escape(d.target_value));
  }
  return out;
}

std::string query_rows(const VerifyReport& r) {
  std::string out;
  for (const auto& q : r.queries) {
    out += fmt::format(
        "<tr class=\"{0}\"><td>{1}</td><td class=\"status\">{0}</td><td>{2}</td>"
        "<td class=\"num\">{3}</td><td class=\"num\">{4}</td><td class=\"num\">{5:.3f}</td>"
        "<td><pre>{6}</pre></td></tr>\n",
        q.match ? "match" : "differ", xml_escape(q.name), q.ordered ? "ordered" : "multiset",
        q.source_rows, q.target_rows, q.seconds, xml_escape(q.sql));
  }
  return out;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string to_html(const VerifyReport& r) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out +=
      "<title>pgshuttle verify: " + std::string(r.passed() ? "passed" : r.verdict()) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style></head><body>\n";
  out += fmt::format(
      "<h1 id=\"verdict\" class=\"{}\">{}: {} differences, {} warnings</h1>\n"
      "<p>Source <code>{}</code><br>Target <code>{}</code><br>Started {} &middot; {:.2f}s "
      "(schema {:.2f}s, data {:.2f}s) &middot; {} schema objects compared &middot; row hash "
      "{}</p>\n",
      r.passed() ? "passed" : "failed",
      r.passed() ? "Passed" : (r.difference_count() > 0 ? "Failed" : "Incomplete (known skips)"),
      r.difference_count(), r.warning_count(), xml_escape(r.source), xml_escape(r.target),
      xml_escape(r.started_at), r.seconds, r.schema_seconds, r.data_seconds, r.schema_objects,
      xml_escape(r.row_hash));
  out += "<h2>Differences</h2>\n";
  if (r.differences.empty()) {
    out += "<p>None.</p>\n";
  } else {
    out +=
        "<table id=\"differences\"><tr><th>severity</th><th>kind</th><th>object</th>"
        "<th>property</th><th>problem</th><th>source</th><th>target</th></tr>\n" +
        difference_rows(r) + "</table>\n";
  }
  out +=
      "<h2>Tables</h2>\n<table id=\"tables\"><tr><th>table</th><th>status</th>"
      "<th>source rows</th><th>target rows</th><th>missing</th><th>extra</th>"
      "<th>changed</th><th>chunks</th><th>seconds</th><th>note</th></tr>\n" +
      table_rows(r) + "</table>\n";
  if (!r.queries.empty()) {
    out +=
        "<h2>Queries</h2>\n<table id=\"queries\"><tr><th>query</th><th>status</th>"
        "<th>compared</th><th>source rows</th><th>target rows</th><th>seconds</th>"
        "<th>sql</th></tr>\n" +
        query_rows(r) + "</table>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace pgshuttle::verify
