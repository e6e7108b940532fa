// RestoreOutcome: counting, naming and the Status the CLI turns into an exit code.
#include <fmt/format.h>

#include "restore/restore.h"

namespace pgshuttle::restore {

std::string_view status_name(RestoreStatus status) {
  switch (status) {
    case RestoreStatus::kCompleted:
      return "Completed";
    case RestoreStatus::kFinishedWithWarnings:
      return "Finished with warnings";
    case RestoreStatus::kFailed:
      return "Failed";
    case RestoreStatus::kCancelled:
      return "Cancelled";
  }
  return "unknown";
}

size_t RestoreOutcome::warning_count() const {
  size_t n = skipped.size();
  for (const auto& e : errors) n += e.severity == Severity::kWarning ? 1 : 0;
  return n;
}

const RestoreError* RestoreOutcome::first_fatal() const {
  for (const auto& e : errors) {
    if (e.severity == Severity::kFatal) return &e;
  }
  return nullptr;
}

Status RestoreOutcome::to_status() const {
  std::string rerun =
      rolled_back ? fmt::format(
                        "nothing was restored: --single-transaction rolled back every "
                        "statement, so the target {} is as it was; fix the cause and run the "
                        "same command again",
                        target_database)
                  : fmt::format(
                        "the target {} is left partially restored; fix the cause, then run the "
                        "same command again: it clears what this restore wrote first (or "
                        "restore into a new database)",
                        target_database);
  switch (status) {
    case RestoreStatus::kCompleted:
      return ok_status();
    case RestoreStatus::kFinishedWithWarnings:
      if (!skipped_unsupported.empty()) {
        std::string list;
        for (const auto& k : skipped_unsupported) list += (list.empty() ? "" : "; ") + k;
        return make_error(ErrorCode::kWarnings,
                          fmt::format("restore finished: {} object(s) the target role may not "
                                      "create were skipped (--skip-unsupported), with what "
                                      "depends on them: {}",
                                      skipped_unsupported.size(), list),
                          "create them through the provider (or as a superuser), or do without "
                          "them; every left-out entry is listed above, and `pgshuttle verify` "
                          "names each as missing");
      }
      return make_error(ErrorCode::kWarnings,
                        fmt::format("restore finished with {} warnings", warning_count()),
                        "read each warning above; none stopped the restore");
    case RestoreStatus::kCancelled:
      return make_error(ErrorCode::kCancelled, "restore cancelled", rerun);
    case RestoreStatus::kFailed:
      break;
  }
  const RestoreError* f = first_fatal();
  std::string what = f ? f->message : "pg_restore failed";
  Error e = make_error(f ? f->code : ErrorCode::kTarget, "restore failed: " + what, rerun);
  if (f && !f->object.empty()) e.context = f->object;
  if (f && (what.find("terminating connection") != std::string::npos ||
            what.find("server closed the connection") != std::string::npos ||
            what.find("connection to server") != std::string::npos)) {
    e.message += what.find(" attempts)") != std::string::npos
                     ? " (the target connection was lost; every retry failed)"
                     : " (the target connection was lost; the restore was not retried)";
  }
  if (e.code == ErrorCode::kDiskFull) {
    e.hint = "the target server is out of disk space: free space or grow its volume; " + e.hint;
  }
  if (f && what.find("input file") != std::string::npos) {
    e.code = ErrorCode::kArchive;
    e.message += " (the archive is truncated or corrupt)";
  }
  return e;
}

}  // namespace pgshuttle::restore
