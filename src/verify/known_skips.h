// Known skips: with --skip-unsupported, a "missing on target" difference
// for an object the target role could not create (target/
// unsupported_objects.h), and a relation's changed access method when the
// source's was such an object, become Severity::kKnownSkip. Nothing else
// changes: any other changed or extra object, or a missing one outside that
// set, stays a difference, and a report with known skips never passes.
//
// Thread safety: one connection, one thread.
#pragma once

#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "verify/verify.h"

namespace pgshuttle::verify {

Status mark_known_skips(pg::Connection& source, std::vector<Difference>& differences);

}  // namespace pgshuttle::verify
