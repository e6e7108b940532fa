#include "cli/verify_after.h"

#include <fmt/format.h>

#include <iostream>

#include "core/log.h"
#include "verify/report.h"
#include "verify/verify_transfer.h"

namespace pgshuttle::cli {

Status verify_after(const CliContext& ctx, const pg::ConnInfo& source, const pg::ConnInfo& target,
                    const verify::VerifyOptions& options, const std::string& what,
                    const std::string& follows, const std::string& why_different,
                    nlohmann::json& json) {
  log::info("verifying {} against the source", what);
  PGS_ASSIGN_OR_RETURN(auto v,
                       verify::verify_recorded(source, target, options, ctx.state_dir, follows));
  const auto& r = v.report;
  json["verify"] = {{"id", v.id},
                    {"passed", r.passed()},
                    {"differences", r.difference_count()},
                    {"warnings", r.warning_count()},
                    {"known_skips", r.known_skip_count()},
                    {"verdict", r.verdict()}};
  if (r.passed()) {
    if (!ctx.json) {
      std::cout << "verify " << v.id << ": target identical to source (" << r.tables.size()
                << " tables, " << r.schema_objects << " schema objects)\n";
    }
    return ok_status();
  }
  if (!ctx.json) std::cout << verify::to_text(r);
  if (r.difference_count() == 0) {
    // Known skips only: no loss beyond what --skip-unsupported left out.
    return std::move(verify::report_status(r)).error().with_context("verify " + v.id);
  }
  return make_error(ErrorCode::kVerifyFailed,
                    fmt::format("verify {} found {} differences between the source and {}", v.id,
                                r.difference_count(), what),
                    why_different + " See pgshuttle info " + v.id);
}

}  // namespace pgshuttle::cli
