// request_cutover (sync.h): the other side of the cutover handshake in
// sync_stream.cpp, through the run's store in the state database.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "core/parse_number.h"
#include "state/run_store.h"
#include "state/transfer_registry.h"
#include "sync/sync.h"

namespace pgshuttle::sync {
namespace {

Error not_running(const state::Transfer& t) {
  return make_error(ErrorCode::kBlocked,
                    fmt::format("sync {} is not running ({}{})", t.id, t.status_text(),
                                t.error.empty() ? "" : ": " + t.error),
                    "run the same pgshuttle sync command again (it continues where it "
                    "stopped), then cut over");
}

Result<CutoverReport> recorded(const state::Transfer& t, state::RunStore& store) {
  PGS_ASSIGN_OR_RETURN(auto values, store.values());
  CutoverReport report;
  report.id = t.id;
  report.database_url = t.destination;
  report.lsn = values["cutover_lsn"];
  report.downtime_seconds = parse_number<double>(values["downtime_seconds"]).value_or(0);
  report.sequences = parse_number<int64_t>(values["sequences"]).value_or(0);
  report.verified = !values["verify_chunks"].empty();
  report.verify_chunks = parse_number<int>(values["verify_chunks"]).value_or(0);
  report.verify_compared = parse_number<int>(values["verify_compared"]).value_or(0);
  report.verify_changed_rows = parse_number<int64_t>(values["verify_changed_rows"]).value_or(0);
  report.verify_differences = parse_number<int>(values["verify_differences"]).value_or(0);
  report.verify_report = values["verify_report"];
  report.verify_not_compared = values["verify_not_compared"];
  if (report.verify_differences > 0) {
    return make_error(
        ErrorCode::kVerifyFailed,
        fmt::format("sync {} cut over at {}, but its verify found {} difference(s) between the "
                    "source and the target:\n{}",
                    t.id, report.lsn, report.verify_differences, report.verify_report),
        "do not point applications at the target yet (the source stays read-only); pgshuttle "
        "verify SOURCE TARGET gives the full report");
  }
  return report;
}

}  // namespace

Result<CutoverReport> request_cutover(const std::string& state_dir, const std::string& id,
                                      int timeout_seconds) {
  std::string dir = state::default_state_dir(state_dir);
  PGS_ASSIGN_OR_RETURN(auto registry, state::TransferRegistry::open(dir));
  PGS_ASSIGN_OR_RETURN(auto t, registry.get(id));
  if (t.kind != state::TransferKind::kSync) {
    return make_error(ErrorCode::kUsage, fmt::format("{} is not a sync", id),
                      "pass the id of a sync (s001 ...); pgshuttle transfers lists them");
  }
  PGS_ASSIGN_OR_RETURN(auto store, state::RunStore::open(dir, "sync:" + id));
  PGS_ASSIGN_OR_RETURN(auto phase, store->value("phase"));
  // Cut over already (a re-run of a sync killed during its cutover
  // finishes it): the recorded result.
  if (phase.value_or("") == "done") return recorded(t, *store);
  if (t.status != state::TransferStatus::kRunning) return not_running(t);
  PGS_TRY(store->set_value("cutover", "requested"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    PGS_ASSIGN_OR_RETURN(t, registry.get(id));
    PGS_ASSIGN_OR_RETURN(auto values, store->values());
    const std::string& asked = values["cutover"];
    if (asked.rfind("failed: ", 0) == 0) {
      return make_error(ErrorCode::kBlocked,
                        fmt::format("sync {} refused the cutover: {}", id, asked.substr(8)),
                        "end the sessions that write to the source, then cut over again");
    }
    if (t.status == state::TransferStatus::kRunning) continue;
    if (values["phase"] != "done") return not_running(t);
    return recorded(t, *store);
  }
  return make_error(
      ErrorCode::kBlocked,
      fmt::format("sync {} did not finish its cutover within {} s", id, timeout_seconds),
      fmt::format("it goes on draining; pgshuttle info {} shows it", id));
}

}  // namespace pgshuttle::sync
