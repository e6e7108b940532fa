// Sequence values: the source's last_value and is_called of each sequence
// set on the target with setval(), by copy at the end of its load and by
// sync at cutover, once for both.
//
// Thread safety: uses the caller's two connections.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

// Sets every sequence of the source (only the (schema, name) pairs in
// `wanted` when it is given) on the target to the source's value as
// `source` sees it (its snapshot, when it holds one); returns how many.
Result<int64_t> copy_sequence_values(pg::Connection& source, pg::Connection& target,
                                     const std::set<std::pair<std::string, std::string>>* wanted);

}  // namespace pgshuttle::copy
