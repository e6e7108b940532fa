// Rendering of a MigrateSummary as JSON and as text.
#include <fmt/format.h>

#include "core/human.h"
#include "migrate/migrate.h"

namespace pgshuttle::migrate {

nlohmann::json to_json(const MigrateSummary& s) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& st : s.steps) {
    bool skipped = std::find(s.skipped.begin(), s.skipped.end(), st.name) != s.skipped.end();
    steps.push_back({{"name", st.name},
                     {"status", step_status_name(st.status)},
                     {"seconds", st.seconds},
                     {"detail", st.detail},
                     {"done_by_earlier_run", skipped}});
  }
  nlohmann::json j = {{"steps", steps},
                      {"seconds", s.seconds},
                      {"target",
                       {{"DATABASE_URL", s.database_url},
                        {"host", s.host},
                        {"port", s.port},
                        {"user", s.user},
                        {"dbname", s.dbname}}},
                      {"backup", s.backup_location},
                      {"source_read_only", s.source_read_only},
                      {"finished_earlier", s.finished_earlier},
                      {"verify", s.verify_summary},
                      {"known_skips", s.known_skips}};
  if (s.downtime_seconds) j["downtime_seconds"] = *s.downtime_seconds;
  return j;
}

std::string to_text(const MigrateSummary& s) {
  std::string out =
      s.finished_earlier
          ? "migration complete (finished by an earlier run: nothing was done now; --restart "
            "runs it again)\n\n"
          : "migration complete\n\n";
  for (const auto& st : s.steps) {
    bool skipped = std::find(s.skipped.begin(), s.skipped.end(), st.name) != s.skipped.end();
    out += fmt::format(
        "  {:<16} {:>8}  {}\n", st.name,
        skipped ? "earlier" : human_duration(std::chrono::duration<double>(st.seconds)), st.detail);
  }
  out += fmt::format("\n  total {}\n", human_duration(std::chrono::duration<double>(s.seconds)));
  if (s.downtime_seconds) {
    out +=
        fmt::format("  downtime {:.2f} s (source fenced to target ready)\n", *s.downtime_seconds);
  }
  if (!s.verify_summary.empty()) out += "  verified: " + s.verify_summary + "\n";
  if (!s.backup_location.empty()) out += "  archive kept at " + s.backup_location + "\n";
  out += "\nPoint your applications at the target:\n";
  out += fmt::format("  DATABASE_URL={}\n  host={} port={} user={} dbname={}\n", s.database_url,
                     s.host, s.port, s.user, s.dbname);
  if (s.source_read_only) {
    out +=
        "\nThe source is still read-only (maintenance on); release it with "
        "`pgshuttle maintenance off SOURCE` once applications have moved.\n";
  }
  return out;
}

}  // namespace pgshuttle::migrate
