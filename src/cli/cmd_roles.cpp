// pgshuttle roles SOURCE [TARGET]: the roles the source database names
// (owners, grantees, default privileges, policies) and whether the target
// server has them, with what to do before moving grants (--keep-acl).
// With --apply (and --map-role OLD=NEW for roles named differently on the
// target), the target's privileges are made the source's (roles/grants.h).
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "roles/grants.h"
#include "roles/roles.h"

namespace pgshuttle::cli {
namespace {

struct RolesOptions {
  std::string source;
  std::string target;
  std::vector<std::string> map_role;
  bool apply = false;
  bool dry_run = false;
};

std::string yes_no(bool b) { return b ? "yes" : "no"; }

void print_text(const std::vector<roles::RoleUse>& list, bool with_target) {
  std::cout << fmt::format("{:<24} {:<6} {:>7}  {:<10} {:<20} {}\n", "ROLE", "LOGIN", "GRANTS",
                           with_target ? "ON TARGET" : "", "MEMBER OF", "USED FOR");
  for (const auto& r : list) {
    std::string there = !r.on_target ? "" : (*r.on_target ? "yes" : "MISSING");
    if (r.on_target && !r.target_role.empty()) there += " (as " + r.target_role + ")";
    std::cout << fmt::format("{:<24} {:<6} {:>7}  {:<10} {:<20} {}\n", r.role, yes_no(r.can_login),
                             r.grants, there, r.member_of.empty() ? "-" : r.member_of,
                             r.used_for + (r.superuser ? " (superuser)" : ""));
  }
}

std::string skipped_text(const std::map<std::string, int64_t>& skipped) {
  std::string out;
  for (const auto& [role, n] : skipped) {
    out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", role, n);
  }
  return out;
}

// --apply: plan, print, run (unless --dry-run).
Status run_apply(const CliContext& ctx, const RolesOptions& o, pg::Connection& source,
                 pg::Connection& target, const roles::RoleMap& map) {
  PGS_ASSIGN_OR_RETURN(auto plan, roles::plan_grants(source, target, map));
  // A dry run prints the statements, then says whether they would run.
  if (!o.dry_run) PGS_TRY(roles::apply_grants(source, target, map, plan));
  int64_t skipped = 0;
  for (const auto& [role, n] : plan.skipped) skipped += n;
  if (ctx.json) {
    ctx.print_json({{"applied", !o.dry_run},
                    {"statements", plan.statements},
                    {"granted", plan.grants},
                    {"revoked", plan.revokes},
                    {"skipped", plan.skipped},  // role (or privilege) -> count
                    {"objects_not_on_target", plan.objects_not_on_target}});
  } else {
    for (const auto& s : plan.statements) std::cout << s << ";\n";
    std::cout << fmt::format("{} {} privilege(s) granted and {} revoked ({} statement(s)){}.\n",
                             o.dry_run ? "Would have:" : "Done:", plan.grants, plan.revokes,
                             plan.statements.size(),
                             plan.statements.empty() && skipped == 0
                                 ? ": the target's privileges already are the source's"
                                 : "");
    if (plan.objects_not_on_target > 0) {
      std::cout << fmt::format(
          "{} object(s) of the source are not on the target (left out of the copy?); their "
          "privileges were not applied.\n",
          plan.objects_not_on_target);
    }
  }
  if (o.dry_run) PGS_TRY(roles::check_plan(plan));
  if (skipped > 0) {
    return make_error(
        ErrorCode::kWarnings,
        fmt::format("{} privilege(s) were skipped (they name roles the target lacks, or a "
                    "privilege it does not know): {}",
                    skipped, skipped_text(plan.skipped)),
        "create those roles on the target (the provider's console, or CREATE ROLE "
        "as an admin) or map them to roles it has with --map-role OLD=NEW, then "
        "run again");
  }
  return ok_status();
}

Status run_roles(const CliContext& ctx, const RolesOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto map, roles::parse_role_map(o.map_role));
  const bool with_target = !o.target.empty();
  if (!with_target && (o.apply || !map.empty())) {
    return make_error(ErrorCode::kUsage, "--apply and --map-role need a TARGET",
                      "pgshuttle roles SOURCE TARGET --apply [--map-role OLD=NEW]");
  }
  if (o.dry_run && !o.apply) {
    return make_error(ErrorCode::kUsage, "--dry-run goes with --apply",
                      "pgshuttle roles SOURCE TARGET --apply --dry-run");
  }
  PGS_ASSIGN_OR_RETURN(auto source_info, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto source, pg::Connection::connect(source_info, pg::Side::kSource));
  if (o.apply) {
    PGS_ASSIGN_OR_RETURN(auto target_info, pg::ConnInfo::parse(o.target));
    PGS_ASSIGN_OR_RETURN(auto target, pg::Connection::connect(target_info, pg::Side::kTarget));
    return run_apply(ctx, o, source, target, map);
  }
  PGS_ASSIGN_OR_RETURN(auto list, roles::roles_used(source));
  if (with_target) {
    PGS_ASSIGN_OR_RETURN(auto target_info, pg::ConnInfo::parse(o.target));
    PGS_ASSIGN_OR_RETURN(auto target, pg::Connection::connect(target_info, pg::Side::kTarget));
    PGS_TRY(roles::mark_on_target(target, list, map));
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
      if (!r.target_role.empty()) e["target_role"] = r.target_role;
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
    std::cout << "The target has every one of them: --keep-acl keeps their grants"
              << (map.empty() ? "" : " (under other names: roles SOURCE TARGET --apply --map-role)")
              << ".\n";
  } else {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    std::cout << fmt::format(
        "The target lacks {} of them ({}), named by {} grants: create them through the "
        "provider (its console, or CREATE ROLE as an admin), or map them to roles it has "
        "(--map-role OLD=NEW); then move with --keep-acl, or move without it and run "
        "pgshuttle roles SOURCE TARGET --apply.\n",
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
  cmd->add_flag("--apply", o->apply,
                "Make the target's privileges and default privileges the source's (one "
                "transaction)");
  cmd->add_option("--map-role", o->map_role,
                  "OLD=NEW: the source's role OLD is NEW on the target (repeatable)");
  cmd->add_flag("--dry-run", o->dry_run, "With --apply: print the statements, change nothing");
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_roles(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(roles, register_roles);

}  // namespace pgshuttle::cli
