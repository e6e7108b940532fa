#include "verify/verify_transfer.h"

#include <fmt/format.h>

#include "state/transfer_registry.h"
#include "state/transfer_run.h"

namespace pgshuttle::verify {

Result<RecordedVerify> verify_recorded(const pg::ConnInfo& source, const pg::ConnInfo& target,
                                       const VerifyOptions& options, const std::string& state_dir,
                                       const std::string& follows) {
  state::RunOptions run_options;
  run_options.warnings_from_log = false;  // the report's warnings are recorded below
  PGS_ASSIGN_OR_RETURN(
      auto run,
      state::TransferRun::begin(state::default_state_dir(state_dir), state::TransferKind::kVerify,
                                source.to_uri(false), target.to_uri(false), run_options));
  RecordedVerify out;
  out.id = run->id();
  if (!follows.empty()) {
    PGS_ASSIGN_OR_RETURN(auto registry,
                         state::TransferRegistry::open(state::default_state_dir(state_dir)));
    Status linked = registry.set_follow_up(follows, out.id);
    if (!linked.ok()) {
      run->finish(linked.error());
      return linked.error();
    }
  }
  auto report = verify_databases(source, target, options);
  if (!report.ok()) {
    run->finish(report.error());
    return std::move(report).error().with_context("verify " + out.id);
  }
  out.report = std::move(*report);
  const VerifyReport& r = out.report;
  run->add_log("info", fmt::format("{} tables, {} schema objects compared in {:.1f}s: {} "
                                   "differences, {} warnings",
                                   r.tables.size(), r.schema_objects, r.seconds,
                                   r.difference_count(), r.warning_count()));
  for (const auto& d : r.differences) {
    std::string line = fmt::format("{} {}{}: {}", d.kind, d.object,
                                   d.property.empty() ? "" : " " + d.property, d.problem);
    if (d.severity != Severity::kDifference) {
      run->add_warning(line);
    } else {
      run->add_log("error", "difference: " + line);
    }
  }
  Status st = report_status(r);
  // Differences are the verify's result, not a failure to run it: the
  // record ends Failed with the count, and the report is returned.
  run->finish(st.ok() ? st : Status(make_error(st.error().code, st.error().message)));
  return out;
}

}  // namespace pgshuttle::verify
