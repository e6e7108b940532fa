// Text and JSON renderings of a check report.
#include <fmt/format.h>

#include "check/check.h"

namespace pgshuttle::check {

nlohmann::json to_json(const CheckReport& report) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"severity", severity_name(f.severity)},
                        {"code", f.code},
                        {"message", f.message},
                        {"fix", f.fix}});
  }
  return {{"blockers", report.count(Severity::kBlocker)},
          {"warnings", report.count(Severity::kWarning)},
          {"outcome", error_code_name(report.outcome())},
          {"source_version_num", report.source_version_num},
          {"target_version_num", report.target_version_num},
          {"source_size_bytes", report.source_size_bytes},
          {"estimated_seconds", report.estimated_seconds},
          {"findings", findings}};
}

std::string to_text(const CheckReport& report) {
  std::string out;
  for (Severity s : {Severity::kBlocker, Severity::kWarning, Severity::kInfo}) {
    for (const auto& f : report.findings) {
      if (f.severity != s) continue;
      out += fmt::format("{:<8} {}\n         fix: {}\n", severity_name(s), f.message, f.fix);
    }
  }
  out += fmt::format("{} blocker(s), {} warning(s)\n", report.count(Severity::kBlocker),
                     report.count(Severity::kWarning));
  return out;
}

}  // namespace pgshuttle::check
