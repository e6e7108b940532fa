#include "verify/settings_warnings.h"

#include "core/log.h"
#include "settings/settings.h"

namespace pgshuttle::verify {
namespace {

Difference setting_warning(const settings::SettingDifference& s, std::string problem) {
  Difference d;
  d.severity = Severity::kWarning;
  d.kind = "setting";
  d.object = s.name;
  d.property = "value";
  d.problem = std::move(problem);
  d.source_value = s.source_value;
  d.target_value = s.target_value;
  return d;
}

}  // namespace

std::vector<Difference> settings_warnings(const pg::ConnInfo& source, const pg::ConnInfo& target) {
  auto read = [](const pg::ConnInfo& info, pg::Side side) -> Result<settings::ServerSettings> {
    PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(
                                        info.with("application_name", "pgshuttle verify"), side));
    return settings::read_settings(conn);
  };
  auto s = read(source, pg::Side::kSource);
  auto t = read(target, pg::Side::kTarget);
  if (!s.ok() || !t.ok()) {
    Difference d;
    d.severity = Severity::kWarning;
    d.kind = "setting";
    d.object = "(all)";
    d.problem = "settings not compared: " + (s.ok() ? t.error() : s.error()).message;
    return {d};
  }
  auto diff = settings::diff_settings(*s, *t);
  std::vector<Difference> out;
  for (const auto& item : diff.settings) out.push_back(setting_warning(item, "differs"));
  for (const auto& o : diff.role_overrides) {
    Difference d;
    d.severity = Severity::kWarning;
    d.kind = "role setting";
    d.object = o.source.role + " " + o.source.name;
    d.property = "value";
    d.problem = o.role_missing ? "role missing on target" : "differs";
    d.source_value = o.source.value;
    d.target_value = o.target_value;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace pgshuttle::verify
