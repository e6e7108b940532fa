// The streaming phase of a sync: one replication session reads the slot's
// changes from where the slot's confirmed position stands, the applier
// writes them to the target, and the slot is confirmed only up to what the
// target committed (or, when nothing is pending, up to what the server
// reports it has sent: nothing before it is ours to apply, so an idle slot
// still lets the source recycle its WAL).
//
// Transactions whose commit is at or before the position the target
// recorded are skipped: they were applied before a crash that came before
// the slot heard of it.
//
// Every quarter of a second the phase looks for a cutover request in the
// run's store; it then fences the source, takes the WAL insert position and
// returns once everything before that position is applied and committed.
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "logical/lsn.h"
#include "pg/connection.h"
#include "state/run_store.h"
#include "sync/live_verify.h"
#include "sync/sync.h"
#include "sync/target_applier.h"

namespace pgshuttle::sync {

struct StreamPlan {
  std::string id;
  std::string slot;
  std::string publication;
  std::string encoding;  // the source database's, on both ends
};

struct Drained {
  logical::Lsn lsn;      // the source position the target now holds
  double fenced_at = 0;  // unix seconds the source was fenced at
};

// Streams and applies until a cutover request is drained; kCancelled on
// Ctrl-C or `pgshuttle cancel`, kBlocked on DDL (target_applier.h).
// `live` (may be null) is told of every relation and change.
Result<Drained> stream_until_cutover(const SyncOptions& o, const StreamPlan& plan,
                                     state::RunStore& store, pg::Connection& source,
                                     TargetApplier& applier, LiveVerify* live);

// Whether a slot retaining `retained` bytes of WAL deserves a warning now,
// given the source's max_slot_wal_keep_size in bytes (`limit`, -1 for none)
// and the size last warned about (0 for never): at 80 % of a limit, once;
// without one at 1 GiB and each doubling after.
bool retained_warning_due(int64_t retained, int64_t limit, int64_t warned_before);

// The source connection of the replication session: output settings pinned
// like a data session's, so that values print as the target reads them.
pg::ConnInfo replication_conninfo(const pg::ConnInfo& source, const std::string& encoding);

}  // namespace pgshuttle::sync
