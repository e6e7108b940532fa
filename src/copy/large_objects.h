// Large objects: copied object by object (copy's load, in 1 MiB pieces
// with lo_get/lo_put) and brought up to date at a sync's cutover, where
// logical decoding, which does not carry them, leaves them as the copy
// found them. One implementation for both.
//
// Thread safety: uses the caller's two connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

// Copies large object `oid` of the source to the target: creates it there
// when missing, writes its bytes (also an existing object's, which must
// not be longer), sets its comment when it has one.
Status copy_large_object(pg::Connection& source, pg::Connection& target, const std::string& oid,
                         const std::optional<std::string>& comment);

struct LargeObjectSync {
  int64_t unchanged = 0;
  int64_t copied = 0;   // new on the source, or changed since the copy
  int64_t removed = 0;  // on the target only: unlinked
};

// Makes the target's large objects the source's: a digest of every object
// on both sides (its bytes read once, piece by piece), those that differ
// or are missing copied again, those only the target has unlinked.
Result<LargeObjectSync> sync_large_objects(pg::Connection& source, pg::Connection& target);

}  // namespace pgshuttle::copy
