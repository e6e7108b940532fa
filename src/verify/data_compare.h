// DataComparer: compares the rows of planned tables on both sides, in
// parallel across tables and chunks. Each worker owns one source and one
// target connection in the shared snapshots and runs the same checksum on
// both at once. A keyed chunk whose checksums differ is bisected (split at
// its median key, taken from the source) until a range is small enough to
// compare row by row; the rows that are missing, extra or changed are
// reported by key. A keyless table that differs is compared as a multiset
// of row hashes, so a duplicated row is named.
//
// Thread safety: run() is called once, from one thread; it starts and joins
// its own workers.
#pragma once

#include <vector>

#include "core/result.h"
#include "verify/session.h"
#include "verify/table_plan.h"
#include "verify/verify.h"

namespace pgshuttle::verify {

struct TableOutcome {
  TableResult result;
  std::vector<Difference> differences;
};

// Compares every plan; returns one outcome per plan, in plan order.
Result<std::vector<TableOutcome>> compare_data(const SideSnapshot& source,
                                               const SideSnapshot& target,
                                               const std::vector<TablePlan>& plans,
                                               const VerifyOptions& options);

}  // namespace pgshuttle::verify
