// Text and JSON renderings of maintenance mode.
#include <fmt/format.h>

#include "maintenance/maintenance.h"

namespace pgshuttle::maintenance {
namespace {

nlohmann::json session_json(const SessionInfo& s) {
  return {{"pid", s.pid},
          {"user", s.user},
          {"application_name", s.application_name},
          {"client", s.client},
          {"state", s.state},
          {"backend_start", s.backend_start},
          {"xact_start", s.xact_start},
          {"writing", s.writing},
          {"predates_maintenance", s.predates}};
}

nlohmann::json sessions_json(const std::vector<SessionInfo>& list) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& s : list) j.push_back(session_json(s));
  return j;
}

}  // namespace

nlohmann::json to_json(const MaintenanceStatus& st) {
  return {{"database", st.database},
          {"read_only", st.read_only_database},
          {"writes_possible", st.writes_possible()},
          {"read_only_roles", st.read_only_roles},
          {"sessions", sessions_json(st.sessions)}};
}

nlohmann::json to_json(const EnableResult& r) {
  return {{"terminated", sessions_json(r.terminated)},
          {"remaining", sessions_json(r.remaining)},
          {"terminate_refused", r.terminate_refused},
          {"waited_seconds", r.waited_seconds}};
}

std::string to_text(const MaintenanceStatus& st) {
  std::string out = fmt::format("database {}: {}\n", st.database,
                                st.writes_possible() ? "writes possible (maintenance off)"
                                                     : "read-only for new sessions "
                                                       "(maintenance on)");
  for (const auto& r : st.read_only_roles) out += "role " + r + " defaults to read-only\n";
  out += fmt::format("{} other session(s)\n", st.sessions.size());
  for (const auto& s : st.sessions) {
    out += fmt::format("  pid {:<7} {:<16} {:<20} {:<20} {}{}\n", s.pid, s.user, s.application_name,
                       s.client, s.state, s.writing ? "  (in a write transaction)" : "");
  }
  return out;
}

}  // namespace pgshuttle::maintenance
