// pgshuttle extensions list DB | diff SOURCE TARGET | sync SOURCE TARGET:
// the guide's `\dx` comparison, and creating what the target lacks.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "core/log.h"
#include "extensions/extension_plan.h"

namespace pgshuttle::cli {
namespace {

struct ExtensionsOptions {
  std::string source;
  std::string target;
  std::vector<std::string> extra;
};

Result<pg::Connection> connect(const std::string& text, pg::Side side) {
  PGS_ASSIGN_OR_RETURN(auto info, pg::ConnInfo::parse(text));
  return pg::Connection::connect(info, side);
}

Status run_list(const CliContext& ctx, const ExtensionsOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto conn, connect(o.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto installed, extensions::list_extensions(conn));
  if (ctx.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& e : installed) {
      j.push_back({{"name", e.name}, {"version", e.version}, {"schema", e.schema}});
    }
    ctx.print_json({{"database", conn.database()}, {"extensions", j}});
    return ok_status();
  }
  std::cout << fmt::format("{:<22} {:<10} {}\n", "extension", "version", "schema");
  for (const auto& e : installed) {
    std::cout << fmt::format("{:<22} {:<10} {}\n", e.name, e.version, e.schema);
  }
  return ok_status();
}

Status run_diff_or_sync(const CliContext& ctx, const ExtensionsOptions& o, bool sync) {
  PGS_ASSIGN_OR_RETURN(auto source, connect(o.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto target, connect(o.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto plan, extensions::plan_extensions(source, target, o.extra));
  std::vector<std::string> created;
  if (sync) {
    PGS_ASSIGN_OR_RETURN(created, extensions::apply_extension_plan(target, plan));
  }
  if (ctx.json) {
    auto j = extensions::to_json(plan);
    if (sync) j["created"] = created;
    ctx.print_json(j);
  } else {
    std::cout << extensions::to_text(plan);
    for (const auto& n : created) std::cout << "created " << n << "\n";
    if (!sync && !plan.to_create().empty()) {
      std::cout << "run `pgshuttle extensions sync` to create the " << plan.to_create().size()
                << " missing extension(s)\n";
    }
  }
  return extensions::blocking_error(plan);
}

void add_pair(CLI::App* cmd, ExtensionsOptions& o) {
  cmd->add_option("SOURCE", o.source, "source database URL")->required();
  cmd->add_option("TARGET", o.target, "target database URL")->required();
  cmd->add_option("--extension", o.extra, "also require this extension (repeatable)");
}

void register_extensions(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<ExtensionsOptions>();
  auto* cmd = app.add_subcommand("extensions", "List, compare and create extensions");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "Installed extensions of a database (\\dx)");
  auto* db = list->add_option("DB", o->source, kDatabaseHelp);
  list->callback([&ctx, o, db] {
    ctx.run = [&ctx, o, db]() -> Status {
      PGS_ASSIGN_OR_RETURN(o->source, database_text(*db, o->source));
      return run_list(ctx, *o);
    };
  });
  auto* diff = cmd->add_subcommand("diff", "What the target lacks of the source's extensions");
  add_pair(diff, *o);
  diff->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_diff_or_sync(ctx, *o, false); }; });
  auto* sync = cmd->add_subcommand("sync", "Create on the target the extensions it lacks");
  add_pair(sync, *o);
  sync->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_diff_or_sync(ctx, *o, true); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(extensions, register_extensions);

}  // namespace pgshuttle::cli
