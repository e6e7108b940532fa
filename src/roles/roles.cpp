#include "roles/roles.h"

#include <set>

#include "sql/roles.h"

namespace pgshuttle::roles {

Result<std::vector<RoleUse>> roles_used(pg::Connection& source) {
  PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::roles::used));
  std::vector<RoleUse> out;
  for (int i = 0; i < rows.rows(); ++i) {
    RoleUse r;
    r.role = rows.get(i, 0);
    r.used_for = rows.get(i, 1);
    r.can_login = rows.get_bool(i, 2);
    r.superuser = rows.get_bool(i, 3);
    r.member_of = rows.get(i, 4);
    r.grants = rows.get_int(i, 5);
    out.push_back(std::move(r));
  }
  return out;
}

Result<int64_t> grant_count(pg::Connection& source) {
  PGS_ASSIGN_OR_RETURN(auto used, roles_used(source));
  int64_t n = 0;
  for (const auto& r : used) n += r.grants;
  return n;
}

Status mark_on_target(pg::Connection& target, std::vector<RoleUse>& roles,
                      const std::map<std::string, std::string>& map) {
  PGS_ASSIGN_OR_RETURN(auto rows, target.query("SELECT rolname::text FROM pg_roles"));
  std::set<std::string> present;
  for (int i = 0; i < rows.rows(); ++i) present.insert(rows.get(i, 0));
  for (auto& r : roles) {
    auto it = map.find(r.role);
    if (it != map.end()) r.target_role = it->second;
    r.on_target = present.count(it != map.end() ? it->second : r.role) > 0;
  }
  return ok_status();
}

}  // namespace pgshuttle::roles
