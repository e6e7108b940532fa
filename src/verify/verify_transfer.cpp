#include "verify/verify_transfer.h"

#include <fmt/format.h>

#include "state/transfer_registry.h"

namespace pgshuttle::verify {

Result<RecordedVerify> verify_recorded(const pg::ConnInfo& source, const pg::ConnInfo& target,
                                       const VerifyOptions& options, const std::string& state_dir) {
  PGS_ASSIGN_OR_RETURN(auto registry,
                       state::TransferRegistry::open(state::default_state_dir(state_dir)));
  PGS_ASSIGN_OR_RETURN(auto transfer, registry.create(state::TransferKind::kVerify,
                                                      source.to_uri(false), target.to_uri(false)));
  RecordedVerify out;
  out.id = transfer.id;
  PGS_TRY(registry.start(out.id));
  auto report = verify_databases(source, target, options);
  if (!report.ok()) {
    (void)registry.finish(out.id, state::TransferStatus::kFailed, report.error().to_string());
    return std::move(report).error().with_context("verify " + out.id);
  }
  out.report = std::move(*report);
  const VerifyReport& r = out.report;
  (void)registry.add_log(out.id, "info",
                         fmt::format("{} tables, {} schema objects compared in {:.1f}s: {} "
                                     "differences, {} warnings",
                                     r.tables.size(), r.schema_objects, r.seconds,
                                     r.difference_count(), r.warning_count()));
  for (const auto& d : r.differences) {
    std::string line = fmt::format("{} {}{}: {}", d.kind, d.object,
                                   d.property.empty() ? "" : " " + d.property, d.problem);
    if (d.severity == Severity::kWarning) {
      (void)registry.add_warning(out.id, line);
    } else {
      (void)registry.add_log(out.id, "error", "difference: " + line);
    }
  }
  Status st = report_status(r);
  (void)registry.finish(
      out.id, st.ok() ? state::TransferStatus::kCompleted : state::TransferStatus::kFailed,
      st.ok() ? "" : st.error().message);
  return out;
}

}  // namespace pgshuttle::verify
