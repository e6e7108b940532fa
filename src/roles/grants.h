// Grants re-applied under other role names: copy, restore and migrate
// leave privileges out by default (a GRANT naming a role the target lacks
// fails, and a provider's roles are often named differently). `roles
// SOURCE TARGET --apply [--map-role OLD=NEW]` then makes the target's
// privileges those of the source: object by object (tables, views,
// sequences, columns, schemas, routines, types, the database, large
// objects, foreign-data wrappers and servers) and the default privileges,
// each source role read as its mapped name.
//
// What it changes on the target: the privileges of PUBLIC and of the roles
// the source's privileges name (mapped). Grants to other roles are left
// alone, and so are owners (an owner's own privileges are not compared).
// Grants naming a role the target lacks are skipped and counted, never
// half-applied: the plan runs in one transaction.
//
// Thread safety: plain functions over the caller's connections.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::roles {

// Source role name -> target role name.
using RoleMap = std::map<std::string, std::string>;

// Parses --map-role values "OLD=NEW" (each name as the catalog spells it;
// an old name given twice is refused).
Result<RoleMap> parse_role_map(const std::vector<std::string>& specs);

struct GrantPlan {
  // GRANT / REVOKE / ALTER DEFAULT PRIVILEGES statements, in order.
  std::vector<std::string> statements;
  int64_t grants = 0;   // privileges granted by the statements
  int64_t revokes = 0;  // privileges (or grant options) revoked
  // Target role (after mapping) -> privileges skipped because the target
  // server has no such role; also "MAINTAIN (...)" for a privilege an
  // older target does not know.
  std::map<std::string, int64_t> skipped;
  // Source objects (or schemas of default privileges) the target lacks.
  int64_t objects_not_on_target = 0;
  // Roles whose default privileges the plan sets but the target login is
  // no member of (the server refuses that): apply_grants refuses the plan.
  std::vector<std::string> default_roles_not_member;
  std::string target_login;
};

// Compares the source database's privileges with the target's and returns
// the statements that make the target's equal (under `map`). Sets both
// sessions' search_path to '' (names are compared fully qualified).
Result<GrantPlan> plan_grants(pg::Connection& source, pg::Connection& target, const RoleMap& map);

// Whether the target would accept the plan: kBlocked, naming the fix,
// when default_roles_not_member is not empty.
Status check_plan(const GrantPlan& plan);

// Runs the plan's statements in one transaction on `target`: all or none,
// after check_plan. Before it commits, the plan is made again (the same
// `source` and `map`) and must be empty: the server only warns about a
// GRANT or REVOKE it did not carry out, and that is refused here.
Status apply_grants(pg::Connection& source, pg::Connection& target, const RoleMap& map,
                    const GrantPlan& plan);

}  // namespace pgshuttle::roles
