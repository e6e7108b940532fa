// Stale uploads: the S3 multipart uploads that a backup started and never
// completed or aborted because its process was killed (kill -9, a crash) or
// its abort failed. The registry records each upload while it is open
// (state::PendingUpload); once its transfer no longer runs, nothing but a
// later run can abort it, and until then it costs storage.
//
// Thread safety: one call at a time per registry.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "state/transfer_registry.h"
#include "storage/credentials.h"

namespace pgshuttle::backup {

struct StaleUploadReport {
  std::vector<state::PendingUpload> aborted;
  std::vector<state::PendingUpload> failed;  // still there; a warning was logged for each
};

// Aborts the recorded uploads of transfers that no longer run (in `bucket`
// only, when given) and forgets them. Best effort: an upload that cannot be
// aborted (other credentials, endpoint down) stays recorded.
Result<StaleUploadReport> abort_stale_uploads(state::TransferRegistry& registry,
                                              const storage::S3Options& s3,
                                              const std::string& bucket = {});

}  // namespace pgshuttle::backup
