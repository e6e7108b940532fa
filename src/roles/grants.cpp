#include "roles/grants.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "sql/roles.h"

namespace pgshuttle::roles {
namespace {

// One grantee's privilege: (grantee, privilege) -> grantable.
using Items = std::map<std::pair<std::string, std::string>, bool>;

struct Acl {
  std::string kind;    // GRANT's object keyword: TABLE, SCHEMA, FUNCTION ...
  std::string object;  // server-quoted name
  std::string col;     // server-quoted column name, or ""
  std::string owner;
  Items items;
};

// Objects keyed by kind, name and column; the database by its kind alone
// (source and target databases have different names).
using AclKey = std::tuple<std::string, std::string, std::string>;

AclKey key_of(const std::string& kind, const std::string& object, const std::string& col) {
  return {kind, kind == "DATABASE" ? std::string() : object, col};
}

Result<std::map<AclKey, Acl>> read_acls(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::roles::acl_items));
  std::map<AclKey, Acl> out;
  for (int i = 0; i < rows.rows(); ++i) {
    auto& acl = out[key_of(rows.get(i, 0), rows.get(i, 1), rows.get(i, 2))];
    acl.kind = rows.get(i, 0);
    acl.object = rows.get(i, 1);
    acl.col = rows.get(i, 2);
    acl.owner = rows.get(i, 7);
    if (rows.get_bool(i, 3)) acl.items[{rows.get(i, 4), rows.get(i, 5)}] = rows.get_bool(i, 6);
  }
  return out;
}

struct DefaultAcl {
  std::string role, schema, objtype;
  Items items;
};

Result<std::map<AclKey, DefaultAcl>> read_default_acls(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::roles::default_acl_items));
  std::map<AclKey, DefaultAcl> out;
  for (int i = 0; i < rows.rows(); ++i) {
    auto& d = out[{rows.get(i, 0), rows.get(i, 1), rows.get(i, 2)}];
    d.role = rows.get(i, 0);
    d.schema = rows.get(i, 1);
    d.objtype = rows.get(i, 2);
    if (rows.get_bool(i, 3)) d.items[{rows.get(i, 4), rows.get(i, 5)}] = rows.get_bool(i, 6);
  }
  return out;
}

// ALTER DEFAULT PRIVILEGES' word for pg_default_acl's object type, and
// acldefault's letter for it.
std::string default_acl_word(const std::string& objtype) {
  if (objtype == "r") return "TABLES";
  if (objtype == "S") return "SEQUENCES";
  if (objtype == "f") return "FUNCTIONS";
  if (objtype == "T") return "TYPES";
  return "SCHEMAS";
}
std::string acldefault_letter(const std::string& objtype) { return objtype == "S" ? "s" : objtype; }

class Planner {
 public:
  Planner(pg::Connection& target, const RoleMap& map, std::set<std::string> target_roles)
      : target_(target), map_(map), target_roles_(std::move(target_roles)) {}

  std::string mapped(const std::string& role) const {
    auto it = map_.find(role);
    return it == map_.end() ? role : it->second;
  }
  bool on_target(const std::string& role) const {
    return role.empty() || target_roles_.count(role) > 0;
  }
  // The source's items under target names. Items of roles the target
  // lacks, and privileges its server does not know, are counted in the
  // plan's skipped and left out; so are the items of `owner` (the target
  // object's owner holds its privileges already, and a grant to oneself
  // is refused).
  Items desired(const Items& source, GrantPlan& plan, const std::string& owner) {
    Items out;
    for (const auto& [gp, grantable] : source) {
      std::string grantee = mapped(gp.first);
      if (!on_target(grantee)) {
        ++plan.skipped[grantee];
        continue;
      }
      if (gp.second == "MAINTAIN" && target_.server_version() < 170000) {
        ++plan.skipped["MAINTAIN (a privilege of PostgreSQL 17 and later)"];
        continue;
      }
      if (grantee == owner && !owner.empty()) continue;
      managed_.insert(grantee);
      out[{grantee, gp.second}] = grantable;
    }
    return out;
  }
  // Statements turning `have` into `want`: `revoke`/`grant` make one
  // statement from a privilege, a grantee and (for grant) its option.
  // `revoked` collects the (grantee, privilege) pairs revoked whole.
  template <typename Revoke, typename Grant>
  void diff(const Items& have, const Items& want, GrantPlan& plan, Revoke revoke, Grant grant,
            std::set<std::pair<std::string, std::string>>* revoked = nullptr) {
    for (const auto& [gp, grantable] : have) {
      if (!managed_.count(gp.first)) continue;  // not ours to change
      auto it = want.find(gp);
      if (it == want.end()) {
        plan.statements.push_back(revoke(gp.second, grantee_sql(gp.first), false));
        ++plan.revokes;
        if (revoked) revoked->insert(gp);
      } else if (grantable && !it->second) {
        plan.statements.push_back(revoke(gp.second, grantee_sql(gp.first), true));
        ++plan.revokes;
      }
    }
    for (const auto& [gp, grantable] : want) {
      auto it = have.find(gp);
      if (it == have.end() || (grantable && !it->second)) {
        plan.statements.push_back(grant(gp.second, grantee_sql(gp.first), grantable));
        ++plan.grants;
      }
    }
  }
  // Whether diff() would write any statement.
  bool changes(const Items& have, const Items& want) {
    GrantPlan scratch;
    diff(
        have, want, scratch, [](auto&&...) { return std::string(); },
        [](auto&&...) { return std::string(); });
    return !scratch.statements.empty();
  }
  std::string grantee_sql(const std::string& role) const {
    return role.empty() ? "PUBLIC" : target_.quote_ident(role);
  }
  // Every role a desired item names, and PUBLIC: the grantees whose
  // privileges on the target are made the source's. Filled by desired(),
  // so all desired() calls come before the first diff().
  std::set<std::string> managed_{""};

 private:
  pg::Connection& target_;
  const RoleMap& map_;
  std::set<std::string> target_roles_;
};

// What ALTER DEFAULT PRIVILEGES FOR ROLE asks of the login: membership
// before PostgreSQL 16, the role's privileges (membership that inherits)
// from 16 on.
Result<bool> may_set_defaults_for(pg::Connection& target, const std::string& role) {
  const char* mode = target.server_version() >= 160000 ? "USAGE" : "MEMBER";
  PGS_ASSIGN_OR_RETURN(auto rows, target.query("SELECT pg_has_role(current_user, $1, $2)",
                                               {role, std::string(mode)}));
  return rows.get_bool(0, 0);
}

}  // namespace

Result<RoleMap> parse_role_map(const std::vector<std::string>& specs) {
  RoleMap map;
  for (const auto& spec : specs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return make_error(ErrorCode::kUsage, fmt::format("--map-role '{}' is not OLD=NEW", spec),
                        "give the source's role name, '=', and the target's, e.g. "
                        "--map-role app_owner=u8f2k");
    }
    if (!map.emplace(spec.substr(0, eq), spec.substr(eq + 1)).second) {
      return make_error(ErrorCode::kUsage,
                        fmt::format("--map-role maps '{}' twice", spec.substr(0, eq)),
                        "give each source role once");
    }
  }
  return map;
}

Result<GrantPlan> plan_grants(pg::Connection& source, pg::Connection& target, const RoleMap& map) {
  // Function names are compared as text: an argument type is qualified
  // unless it is a system one, whatever each side's search_path.
  PGS_TRY(source.exec("SET search_path = ''"));
  PGS_TRY(target.exec("SET search_path = ''"));
  PGS_ASSIGN_OR_RETURN(auto want_acls, read_acls(source));
  PGS_ASSIGN_OR_RETURN(auto have_acls, read_acls(target));
  PGS_ASSIGN_OR_RETURN(auto want_defaults, read_default_acls(source));
  PGS_ASSIGN_OR_RETURN(auto have_defaults, read_default_acls(target));
  PGS_ASSIGN_OR_RETURN(auto role_rows, target.query("SELECT rolname::text FROM pg_roles"));
  std::set<std::string> target_roles;
  for (int i = 0; i < role_rows.rows(); ++i) target_roles.insert(role_rows.get(i, 0));

  GrantPlan plan;
  plan.target_login = target.user();
  Planner planner(target, map, std::move(target_roles));

  // Objects: the target's copy of each source object (for a column, its
  // table's), in key order, so a table comes before its columns.
  struct ObjectWork {
    const Acl* table;  // the target's object, or a column's table
    std::string col;
    Items have, want;
  };
  std::vector<ObjectWork> objects;
  for (const auto& [key, acl] : want_acls) {
    const auto& [kind, name, col] = key;
    auto table = have_acls.find(key_of(kind, name, ""));
    if (table == have_acls.end()) {
      if (col.empty()) ++plan.objects_not_on_target;
      continue;
    }
    auto have = have_acls.find(key);
    objects.push_back({&table->second, col, have == have_acls.end() ? Items{} : have->second.items,
                       planner.desired(acl.items, plan, table->second.owner)});
  }
  // Column privileges only the target has, on a table the source has too.
  for (const auto& [key, acl] : have_acls) {
    const auto& [kind, name, col] = key;
    if (col.empty() || want_acls.count(key) || !want_acls.count(key_of(kind, name, ""))) continue;
    objects.push_back({&have_acls.at(key_of(kind, name, "")), col, acl.items, Items{}});
  }
  std::stable_sort(objects.begin(), objects.end(), [](const ObjectWork& a, const ObjectWork& b) {
    return std::tie(a.table->kind, a.table->object, a.col) <
           std::tie(b.table->kind, b.table->object, b.col);
  });

  // Default privileges, under the mapped role.
  struct DefaultWork {
    std::string role, schema, objtype;
    Items have, want;
  };
  std::vector<DefaultWork> defaults;
  for (const auto& [key, d] : want_defaults) {
    std::string role = planner.mapped(d.role);
    if (!planner.on_target(role)) {
      plan.skipped[role] += std::max<int64_t>(1, static_cast<int64_t>(d.items.size()));
      continue;
    }
    if (!d.schema.empty() && !have_acls.count(key_of("SCHEMA", d.schema, ""))) {
      ++plan.objects_not_on_target;
      continue;
    }
    DefaultWork w{role, d.schema, d.objtype, {}, planner.desired(d.items, plan, role)};
    auto have = have_defaults.find({role, d.schema, d.objtype});
    if (have != have_defaults.end()) {
      w.have = have->second.items;
    } else if (d.schema.empty()) {
      // No entry on the target: the built-in defaults apply there.
      PGS_ASSIGN_OR_RETURN(auto rows, target.query(sql::roles::builtin_default_items,
                                                   {acldefault_letter(d.objtype), role}));
      for (int i = 0; i < rows.rows(); ++i) w.have[{"", rows.get(i, 0)}] = rows.get_bool(i, 1);
    }
    defaults.push_back(std::move(w));
  }

  // A privilege revoked from a table is revoked from its columns too: a
  // column's "have" loses what its table's statements revoked.
  std::map<std::pair<std::string, std::string>, std::set<std::pair<std::string, std::string>>>
      revoked_on_table;
  for (auto& o : objects) {
    std::string on = fmt::format("ON {} {}", o.table->kind, o.table->object);
    std::string cols = o.col.empty() ? "" : fmt::format(" ({})", o.col);
    auto& revoked = revoked_on_table[{o.table->kind, o.table->object}];
    if (!o.col.empty()) {
      for (const auto& gp : revoked) o.have.erase(gp);
    }
    planner.diff(
        o.have, o.want, plan,
        [&](const std::string& p, const std::string& g, bool option_only) {
          return fmt::format("REVOKE {}{}{} {} FROM {}", option_only ? "GRANT OPTION FOR " : "", p,
                             cols, on, g);
        },
        [&](const std::string& p, const std::string& g, bool option) {
          return fmt::format("GRANT {}{} {} TO {}{}", p, cols, on, g,
                             option ? " WITH GRANT OPTION" : "");
        },
        o.col.empty() ? &revoked : nullptr);
  }
  for (const auto& d : defaults) {
    if (planner.changes(d.have, d.want)) {
      PGS_ASSIGN_OR_RETURN(bool may, may_set_defaults_for(target, d.role));
      if (!may &&
          std::find(plan.default_roles_not_member.begin(), plan.default_roles_not_member.end(),
                    d.role) == plan.default_roles_not_member.end()) {
        plan.default_roles_not_member.push_back(d.role);
      }
    }
    std::string head =
        fmt::format("ALTER DEFAULT PRIVILEGES FOR ROLE {}{}", target.quote_ident(d.role),
                    d.schema.empty() ? "" : " IN SCHEMA " + d.schema);
    std::string word = default_acl_word(d.objtype);
    planner.diff(
        d.have, d.want, plan,
        [&](const std::string& p, const std::string& g, bool option_only) {
          return fmt::format("{} REVOKE {}{} ON {} FROM {}", head,
                             option_only ? "GRANT OPTION FOR " : "", p, word, g);
        },
        [&](const std::string& p, const std::string& g, bool option) {
          return fmt::format("{} GRANT {} ON {} TO {}{}", head, p, word, g,
                             option ? " WITH GRANT OPTION" : "");
        });
  }
  return plan;
}

Status check_plan(const GrantPlan& plan) {
  if (!plan.default_roles_not_member.empty()) {
    const std::string& role = plan.default_roles_not_member.front();
    std::string roles;
    for (const auto& r : plan.default_roles_not_member) roles += (roles.empty() ? "" : ", ") + r;
    return make_error(
        ErrorCode::kBlocked,
        fmt::format("the source sets default privileges for role(s) {}, and the target login {} "
                    "has no membership (with its privileges) in them, so the target server "
                    "would refuse them; nothing was changed",
                    roles, plan.target_login),
        fmt::format("if {} now owns what {} owned on the source, map it: --map-role {}={}; "
                    "otherwise grant the login membership (GRANT {} TO {}) as an admin",
                    plan.target_login, role, role, plan.target_login, role, plan.target_login));
  }
  return ok_status();
}

Status apply_grants(pg::Connection& source, pg::Connection& target, const RoleMap& map,
                    const GrantPlan& plan) {
  PGS_TRY(check_plan(plan));
  if (plan.statements.empty()) return ok_status();
  PGS_TRY(target.exec("BEGIN"));
  auto abandon = [&](Error e) {
    (void)target.exec("ROLLBACK");
    return e;
  };
  for (const auto& statement : plan.statements) {
    if (auto st = target.exec(statement); !st.ok()) {
      Error e = st.error().with_context(
          "re-applying the source's privileges (nothing was changed: one transaction)");
      if (e.hint.empty()) {
        e.hint =
            "the target login must own the objects or hold the privileges WITH GRANT "
            "OPTION; see every statement with --dry-run";
      }
      return abandon(std::move(e));
    }
  }
  // A GRANT on an object the login neither owns nor holds with grant
  // option, or a REVOKE of another grantor's grant, only warns: what the
  // server took is read back before the transaction commits.
  auto left = plan_grants(source, target, map);
  if (!left.ok()) return abandon(std::move(left).error());
  if (!left->statements.empty()) {
    return abandon(make_error(
        ErrorCode::kTarget,
        fmt::format("the target server did not take {} of the {} privilege statement(s), e.g. "
                    "\"{}\"; nothing was changed (one transaction)",
                    left->statements.size(), plan.statements.size(), left->statements.front()),
        "the target login must own the objects (or hold their privileges WITH GRANT OPTION), "
        "and a grant another role made can only be revoked by it or the owner"));
  }
  return target.exec("COMMIT");
}

}  // namespace pgshuttle::roles
