// The CLI's command registry. Each command lives in its own file
// (cli/cmd_<name>.cpp) and registers itself with PGSHUTTLE_COMMAND, so adding
// a command never touches main.cpp. A command adds its CLI11 subcommand and
// options, and sets `context.run` to the work to do once parsing succeeded.
//
// Commands return a Status; main() prints an error once (redacted) and maps
// its ErrorCode to the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/conninfo.h"
#include "storage/credentials.h"

namespace pgshuttle::cli {

struct CliContext {
  bool json = false;      // --json: machine-readable stdout
  bool verbose = false;   // -v: debug log lines
  bool quiet = false;     // -q: warnings and errors only
  std::string state_dir;  // --state-dir / PGSHUTTLE_STATE_DIR
  std::function<Status()> run;

  // Prints `value` as indented JSON on stdout.
  void print_json(const nlohmann::json& value) const;
  // With --json, a command that fails before printing its report prints
  // this instead, so stdout always holds exactly one JSON document:
  // {"error": {"code": 13, "name": "not-found", "message": ..., "hint": ...}}.
  void print_json_error(const Error& error) const;

  mutable bool printed_json = false;
};

// The database a single-database command works on: `value` when the user
// passed the argument (even empty: an unset shell variable is refused, never
// replaced), else $DATABASE_URL (what Heroku, Render, Railway and most app
// platforms set; the choice is logged), else a usage error naming both.
Result<std::string> database_text(const CLI::Option& argument, const std::string& value);
Result<pg::ConnInfo> database_argument(const CLI::Option& argument, const std::string& value);

// The S3 options of every command that reads or writes S3, with one set of
// names, defaults and help texts: --endpoint, --region, --profile; with
// `sse` (a command that stores objects) also --sse (AES256, aws:kms or
// none, into *sse) and --sse-kms-key-id.
void add_s3_options(CLI::App* cmd, storage::S3Options& s3, std::string* sse = nullptr);

// --pg-bindir, the same on every command that runs pg_dump, pg_restore or
// psql (pg::find_tools searches these directories first).
void add_pg_bindir_option(CLI::App* cmd, std::string& bindirs);

// --include / --exclude (repeatable), the same on every command that works
// on a part of a database: pg_dump's patterns, "schema" or "schema.table".
void add_filter_options(CLI::App* cmd, ddl::ObjectFilter& filter);

// A size option's value ("256MB", "1GB", "0"), or a usage error naming
// `option` and how to write it.
Result<int64_t> size_option(std::string_view option, const std::string& value);

// The help text of such a DB argument.
inline constexpr const char* kDatabaseHelp =
    "postgres:// URL or key=value string (default: $DATABASE_URL)";

using CommandRegistrar = void (*)(CLI::App& app, CliContext& context);

// Adds a registrar; returns true so it can initialise a static.
bool register_command(const char* name, CommandRegistrar registrar);
// Calls every registrar, in name order.
void add_all_commands(CLI::App& app, CliContext& context);

}  // namespace pgshuttle::cli

#define PGSHUTTLE_COMMAND(name, registrar) \
  static const bool pgshuttle_command_##name = ::pgshuttle::cli::register_command(#name, registrar)
