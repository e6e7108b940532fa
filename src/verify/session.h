// SideSnapshot: a coordinator connection to one side (source or target)
// that holds a REPEATABLE READ, READ ONLY transaction open and exports its
// snapshot, so that every worker connection opened through it reads exactly
// the same data. All sessions are pinned data sessions (pg/data_session.h),
// the same settings as copy's.
//
// Thread safety: open_worker() may be called from any thread; each returned
// Connection belongs to the caller. coordinator() is for one thread only.
#pragma once

#include <string>

#include "core/result.h"
#include "pg/connection.h"
#include "pg/conninfo.h"

namespace pgshuttle::verify {

class SideSnapshot {
 public:
  // Connects, pins settings, begins the transaction and exports its snapshot.
  // When the server cannot export one (e.g. some poolers), workers fall back to
  // their own snapshots and exported() is false.
  static Result<SideSnapshot> open(const pg::ConnInfo& info, pg::Side side);

  pg::Connection& coordinator() { return coordinator_; }
  bool exported() const { return !snapshot_id_.empty(); }
  pg::Side side() const { return coordinator_.side(); }

  // A new connection in a transaction that imports the coordinator's snapshot.
  Result<pg::Connection> open_worker() const;

 private:
  SideSnapshot(pg::ConnInfo info, pg::Connection conn, std::string snapshot_id)
      : info_(std::move(info)),
        coordinator_(std::move(conn)),
        snapshot_id_(std::move(snapshot_id)) {}

  pg::ConnInfo info_;
  pg::Connection coordinator_;
  std::string snapshot_id_;
};

}  // namespace pgshuttle::verify
