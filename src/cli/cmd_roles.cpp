// pgshuttle roles SOURCE [TARGET]: the roles the source database names
// (owners, grantees, default privileges, policies) and whether the target
// server has them, with what to do before moving grants (--keep-acl).
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "roles/roles.h"

namespace pgshuttle::cli {
namespace {

struct RolesOptions {
  std::string source;
  std::string target;
};

std::string yes_no(bool b) { return b ? "yes" : "no"; }

void print_text(const std::vector<roles::RoleUse>& list, bool with_target) {
  std::cout << fmt::format("{:<24} {:<6} {:>7}  {:<10} {:<20} {}\n", "ROLE", "LOGIN", "GRANTS",
                           with_target ? "ON TARGET" : "", "MEMBER OF", "USED FOR");
  for (const auto& r : list) {
    std::string there = !r.on_target ? "" : (*r.on_target ? "yes" : "MISSING");
    std::cout << fmt::format("{:<24} {:<6} {:>7}  {:<10} {:<20} {}\n", r.role, yes_no(r.can_login),
                             r.grants, there, r.member_of.empty() ? "-" : r.member_of,
                             r.used_for + (r.superuser ? " (superuser)" : ""));
  }
}

Status run_roles(const CliContext& ctx, const RolesOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto source_info, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto source, pg::Connection::connect(source_info, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto list, roles::roles_used(source));
  const bool with_target = !o.target.empty();
  if (with_target) {
    PGS_ASSIGN_OR_RETURN(auto target_info, pg::ConnInfo::parse(o.target));
    PGS_ASSIGN_OR_RETURN(auto target, pg::Connection::connect(target_info, pg::Side::kTarget));
    PGS_TRY(roles::mark_on_target(target, list));
  }
  std::vector<std::string> missing;
  int64_t missing_grants = 0, grants = 0;
  for (const auto& r : list) {
    grants += r.grants;
    if (r.on_target && !*r.on_target) {
      missing.push_back(r.role);
      missing_grants += r.grants;
    }
  }
  if (ctx.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : list) {
      nlohmann::json e = {{"role", r.role},           {"used_for", r.used_for},
                          {"can_login", r.can_login}, {"superuser", r.superuser},
                          {"member_of", r.member_of}, {"grants", r.grants}};
      if (r.on_target) e["on_target"] = *r.on_target;
      j.push_back(std::move(e));
    }
    ctx.print_json({{"roles", j}, {"missing_on_target", missing}, {"grants", grants}});
    return ok_status();
  }
  print_text(list, with_target);
  std::cout << "\n"
            << list.size() << " role(s), " << grants
            << " grant(s). copy, restore and migrate leave grants out unless --keep-acl, and "
               "never create roles (they belong to the server, not the database).\n";
  if (!with_target) {
    std::cout << "Give the target too (pgshuttle roles SOURCE TARGET) to see which it lacks.\n";
  } else if (missing.empty()) {
    std::cout << "The target has every one of them: --keep-acl keeps their grants.\n";
  } else {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    std::cout << fmt::format(
        "The target lacks {} of them ({}), named by {} grants: create them through the "
        "provider (its console, or CREATE ROLE as an admin), then move with --keep-acl; "
        "without them, --keep-acl fails on those grants.\n",
        missing.size(), names, missing_grants);
  }
  return ok_status();
}

void register_roles(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<RolesOptions>();
  auto* cmd = app.add_subcommand(
      "roles", "The roles a database names (owners, grants) and which the target lacks");
  cmd->add_option("SOURCE", o->source, "Source database URL")->required();
  cmd->add_option("TARGET", o->target, "Target database URL (optional)");
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_roles(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(roles, register_roles);

}  // namespace pgshuttle::cli
