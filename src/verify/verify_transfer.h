// Verify as a transfer: every verify run (the `verify` command and the one
// `copy` runs at its end) is recorded in the transfer registry
// (state/transfer_registry.h) as v001, v002 ...: Running while it compares,
// then Completed when the databases match (Finished with warnings when the
// report has warnings only), Failed with the number of differences or the
// error that stopped it. The report itself is returned, not stored.
//
// Thread safety: like verify_databases(); call from one thread.
#pragma once

#include <string>

#include "core/result.h"
#include "pg/conninfo.h"
#include "verify/verify.h"

namespace pgshuttle::verify {

struct RecordedVerify {
  std::string id;  // "v003"
  VerifyReport report;
};

// verify_databases() recorded in the registry under `state_dir` (empty: the
// default state directory); `follows`, when given, is the transfer whose
// closing verify this is (recorded as its follow-up, so that cancelling it
// reaches this verify). Fails when the registry cannot be opened or a side
// cannot be read (recorded as Failed).
Result<RecordedVerify> verify_recorded(const pg::ConnInfo& source, const pg::ConnInfo& target,
                                       const VerifyOptions& options, const std::string& state_dir,
                                       const std::string& follows = {});

}  // namespace pgshuttle::verify
