// A restore's own partial target: a restore records, once the target checks
// passed (the target was empty, or --clean emptied it) and before it writes,
// which database it writes into (target::database_identity). When that
// restore ends unfinished (killed, failed, cancelled), the same command run
// again finds the record and clears what it wrote without --clean
// --confirm: the target holds only what that restore put there. Another
// database of the same name, another archive, or a finished restore in
// between, and the guard applies as usual.
//
// Thread safety: plain functions; one thread.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "pg/conninfo.h"

namespace pgshuttle::restore {

// The id of the newest restore of `source` into `target` when it ended
// unfinished after recording the target it started writing into, and the
// target is still that database; nullopt otherwise.
Result<std::optional<std::string>> own_partial_target(const std::string& state_dir,
                                                      const std::string& source,
                                                      const pg::ConnInfo& target);

// Records that restore `id` writes into the database `target` is now.
Status record_target(const std::string& state_dir, const std::string& id,
                     const pg::ConnInfo& target);

}  // namespace pgshuttle::restore
