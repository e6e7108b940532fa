// Roles: which roles a database names (owners, grantees, default
// privileges, policies; sql/roles/used.sql) and which of them a target
// server has. Roles live in the cluster, not the database: pg_dump and
// copy/restore never create them, and a grant naming a role the target
// lacks fails, so without --keep-acl grants are left out. This is what a
// user reads before deciding: create the roles through the provider, then
// move with --keep-acl.
//
// Thread safety: plain functions over the caller's connections.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::roles {

struct RoleUse {
  std::string role;
  std::string used_for;   // "owns schemas, granted on tables, views or sequences"
  std::string member_of;  // comma-separated role names
  bool can_login = false;
  bool superuser = false;
  int64_t grants = 0;             // privilege items naming it
  std::optional<bool> on_target;  // unset when no target was asked
  std::string target_role;        // its name on the target (--map-role), or ""
};

// The roles the database of `source` names.
Result<std::vector<RoleUse>> roles_used(pg::Connection& source);
// How many grants the database of `source` holds (the sum over
// roles_used): what copy leaves out without --keep-acl.
Result<int64_t> grant_count(pg::Connection& source);
// Sets on_target of each role: whether `target`'s server has a role of
// that name, or of the name `map` gives it (then target_role is set).
Status mark_on_target(pg::Connection& target, std::vector<RoleUse>& roles,
                      const std::map<std::string, std::string>& map = {});

}  // namespace pgshuttle::roles
