#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "verify/report.h"

namespace pgshuttle::verify {
namespace {

struct Case {
  std::string classname, name;
  double seconds = 0;
  std::vector<const Difference*> failures;
};

std::string render_case(const Case& c) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                                xml_escape(c.classname), xml_escape(c.name), c.seconds);
  if (c.failures.empty()) return out + "/>\n";
  out += ">\n";
  std::string body;
  for (const auto* d : c.failures) {
    body += d->kind + " " + d->object + (d->property.empty() ? "" : " [" + d->property + "]") +
            ": " + d->problem;
    if (!d->source_value.empty()) body += "\n  source: " + d->source_value;
    if (!d->target_value.empty()) body += "\n  target: " + d->target_value;
    body += "\n";
  }
  out += fmt::format("      <failure message=\"{} difference(s)\">{}</failure>\n",
                     c.failures.size(), xml_escape(body));
  return out + "    </testcase>\n";
}

}  // namespace

std::string to_junit(const VerifyReport& r) {
  // Data differences belong to their table's case; schema ones to their kind's.
  std::map<std::string, Case> cases;
  for (const auto& t : r.tables) {
    Case& c = cases["data " + t.qualified()];
    c.classname = "verify.data";
    c.name = t.qualified();
    c.seconds = t.seconds;
  }
  for (const auto& q : r.queries) {
    Case& c = cases["query " + q.name];
    c.classname = "verify.query";
    c.name = q.name;
    c.seconds = q.seconds;
  }
  cases["schema"].classname = "verify.schema";
  cases["schema"].name = "schema";
  for (const auto& d : r.differences) {
    if (d.severity == Severity::kWarning) continue;
    std::string key = "schema";
    if (d.kind == "row" || d.kind == "table data") {
      key = "data " + d.object.substr(0, d.object.find(' '));
    } else if (d.kind == "query") {
      key = "query " + d.object;
    }
    if (!cases.count(key)) key = "schema";
    cases[key].failures.push_back(&d);
  }
  int failures = 0;
  for (const auto& [_, c] : cases) failures += c.failures.empty() ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites>\n  <testsuite name=\"pgshuttle verify\" tests=\"{}\" "
      "failures=\"{}\" time=\"{:.3f}\" timestamp=\"{}\">\n",
      cases.size(), failures, r.seconds, xml_escape(r.started_at));
  for (const auto& [_, c] : cases) out += render_case(c);
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace pgshuttle::verify
