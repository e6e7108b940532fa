#include "target/target_objects.h"

#include <fmt/format.h>

#include <array>

#include "core/log.h"
#include "sql/target.h"

namespace pgshuttle::target {
namespace {

struct RoleFacts {
  std::string name;
  bool superuser = false;
  bool owns_extension = false;
};

Result<RoleFacts> read_role(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto r, conn.query("SELECT current_user, rolsuper, EXISTS (SELECT 1 FROM "
                                          "pg_extension WHERE extowner = r.oid) FROM pg_roles r "
                                          "WHERE r.rolname = current_user"));
  return RoleFacts{r.get(0, 0), r.get_bool(0, 1), r.get_bool(0, 2)};
}

// Drops the listed objects the role may drop: containers first, so that
// what a schema or a table took along is skipped (the statements say IF
// EXISTS).
Status drop_listed(pg::Connection& conn, const RoleFacts& role,
                   const std::vector<UserObject>& objects) {
  static constexpr std::array<std::string_view, 5> kOrder = {"schema", "relation", "type",
                                                             "function", "large object"};
  for (std::string_view kind : kOrder) {
    for (const auto& o : objects) {
      if (o.kind != kind || o.drop.empty()) continue;
      if (!role.superuser && o.owner != role.name) continue;
      log::debug("--clean: {}", o.drop);
      auto st = conn.exec(o.drop);
      if (!st.ok()) return st.error().with_context(o.kind + " " + o.name);
    }
  }
  return ok_status();
}

// What the list does not name (operators, casts, publications, grants) goes
// with DROP OWNED, unless that would reach an extension: an extension the
// role created itself, or an extension member handed to the role (ALTER
// TABLE spatial_ref_sys OWNER TO app), which DROP OWNED refuses to drop.
Status sweep_owned(pg::Connection& conn, const RoleFacts& role) {
  if (role.superuser) return ok_status();  // would reach system objects
  if (role.owns_extension) {
    log::info("--clean: {} owns an extension; leaving it and its objects in place", role.name);
    return ok_status();
  }
  auto st = conn.exec("BEGIN; DROP OWNED BY CURRENT_USER CASCADE; COMMIT;");
  if (st.ok()) return ok_status();
  (void)conn.exec("ROLLBACK");
  if (st.error().sqlstate != "2BP01") return st;  // dependent_objects_still_exist
  log::info("--clean: {} owns objects an extension needs; leaving them ({})", role.name,
            st.error().message);
  return ok_status();
}

}  // namespace

Result<std::string> database_identity(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto r,
                       conn.query("SELECT oid::text FROM pg_catalog.pg_database WHERE datname = "
                                  "pg_catalog.current_database()"));
  return r.get(0, 0);
}

Result<std::vector<UserObject>> list_user_objects(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::target::user_objects));
  std::vector<UserObject> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.get(i, 0), rows.get(i, 1), rows.get(i, 2), rows.get(i, 3)});
  }
  return out;
}

std::string describe(const std::vector<UserObject>& objects, size_t limit) {
  std::string out;
  for (size_t i = 0; i < objects.size() && i < limit; ++i) {
    out += (i ? ", " : "") + objects[i].kind + " " + objects[i].name;
  }
  if (objects.size() > limit) out += fmt::format(" and {} more", objects.size() - limit);
  return out;
}

Status clean_target(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto role, read_role(conn));
  log::warn("--clean: dropping the user objects {} may drop in database {} (extensions stay)",
            role.name, conn.database());
  PGS_ASSIGN_OR_RETURN(auto before, list_user_objects(conn));
  PGS_TRY(drop_listed(conn, role, before));
  PGS_TRY(sweep_owned(conn, role));
  PGS_ASSIGN_OR_RETURN(auto left, list_user_objects(conn));
  if (left.empty()) return ok_status();
  std::string owners;
  for (const auto& o : left) {
    if (owners.find(o.owner) == std::string::npos) owners += (owners.empty() ? "" : ", ") + o.owner;
  }
  return make_error(
      ErrorCode::kTargetNotEmpty,
      fmt::format("after --clean, {} user object(s) owned by other roles ({}) remain in {}: {}",
                  left.size(), owners, conn.database(), describe(left)),
      "drop them as their owner or a superuser, or migrate into a new database");
}

Status guard_target(pg::Connection& conn, const GuardOptions& options) {
  PGS_ASSIGN_OR_RETURN(auto objects, list_user_objects(conn));
  if (objects.empty()) return ok_status();
  std::string db = conn.database();
  if (options.clean && options.confirm == db) return clean_target(conn);
  std::string why =
      !options.clean ? "--clean is not set"
      : options.confirm.empty()
          ? "--confirm is missing"
          : fmt::format("--confirm {} does not match the database name", options.confirm);
  return make_error(ErrorCode::kTargetNotEmpty,
                    fmt::format("target database {} is not empty ({} user objects: {}); refusing "
                                "to write into it because {}",
                                db, objects.size(), describe(objects), why),
                    fmt::format("use an empty database (extensions pre-installed by the provider "
                                "are fine), or pass --clean --confirm {} to drop what the target "
                                "holds first",
                                db));
}

}  // namespace pgshuttle::target
