// Target guard: the destructive-operation check shared by copy and restore.
//
// A target that already holds user objects is only overwritten when the user
// passed --clean and --confirm with the target database's name. Cleaning
// drops everything the connected role owns (DROP OWNED BY CURRENT_USER),
// which is what a managed-provider database owner can do; objects owned by
// other roles are left and reported.
//
// Thread safety: functions on one connection; one thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::ddl {

struct GuardOptions {
  bool clean = false;
  std::string confirm;  // must equal the target database name to clean
};

// Number of user objects in the target database (see sql/ddl/user_objects.sql).
Result<int64_t> count_user_objects(pg::Connection& target);

// Drops everything the connected role owns in the target database.
Status clean_target(pg::Connection& target);

// Fails with kTargetNotEmpty unless the target is empty or the options allow
// cleaning it; cleans it when allowed.
Status guard_target(pg::Connection& target, const GuardOptions& options);

}  // namespace pgshuttle::ddl
