#include "ddl/target_guard.h"

#include <fmt/format.h>

#include "core/log.h"
#include "sql/ddl.h"

namespace pgshuttle::ddl {

Result<int64_t> count_user_objects(pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto r, target.query(sql::ddl::user_objects));
  return r.get_int(0, 0);
}

Status clean_target(pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto su, target.query("SELECT rolsuper FROM pg_roles "
                                             "WHERE rolname = current_user"));
  if (su.rows() == 1 && su.get_bool(0, 0)) {
    return make_error(ErrorCode::kBlocked,
                      "cannot clean a target as a superuser (DROP OWNED would reach "
                      "system objects)",
                      "connect to the target as the database owner, or drop and "
                      "recreate the target database yourself");
  }
  log::info("cleaning target database {}: dropping every object owned by {}", target.database(),
            target.user());
  PGS_TRY(target.exec("DROP OWNED BY CURRENT_USER CASCADE"));
  PGS_ASSIGN_OR_RETURN(int64_t left, count_user_objects(target));
  if (left > 0) {
    return make_error(ErrorCode::kTargetNotEmpty,
                      fmt::format("{} objects owned by other roles remain in the target", left),
                      "drop them as their owner, or recreate the target database");
  }
  return ok_status();
}

Status guard_target(pg::Connection& target, const GuardOptions& options) {
  PGS_ASSIGN_OR_RETURN(int64_t n, count_user_objects(target));
  if (n == 0) return ok_status();
  std::string db = target.database();
  if (!options.clean || options.confirm != db) {
    return make_error(ErrorCode::kTargetNotEmpty,
                      fmt::format("target database {} is not empty ({} user objects)", db, n),
                      fmt::format("to replace its contents pass --clean --confirm {}", db));
  }
  return clean_target(target);
}

}  // namespace pgshuttle::ddl
