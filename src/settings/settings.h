// Settings: a server's run-time configuration as one session sees it
// (pg_settings), its per-database and per-role defaults (pg_db_role_setting),
// the meaningful differences between a source and a target, and applying
// what a database owner may apply.
//
// "Meaningful" leaves out what differs by nature between two hosts or two
// sessions: session state (application_name, client_encoding, ...),
// maintenance mode's default_transaction_read_only, and host-specific values
// — ports, paths, memory sizing, WAL, logging, replication — which are
// reported in a group of their own because a provider sets them.
//
// Thread safety: functions use the calling thread's connections.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::settings {

struct Setting {
  std::string name, setting, unit, context, category, source, vartype;
};

// One entry of pg_db_role_setting that applies to the current database.
struct Override {
  std::string role;            // empty: every role in the database (ALTER DATABASE ... SET)
  bool all_databases = false;  // ALTER ROLE ... SET without IN DATABASE
  std::string name, value;
};

struct ServerSettings {
  std::string database;
  std::string user;
  bool is_superuser = false;
  std::vector<Setting> settings;
  std::vector<Override> overrides;
  std::set<std::string> roles;
};

Result<ServerSettings> read_settings(pg::Connection& conn);

// Writes all of pg_settings as CSV with a header ("-" is stdout).
Status export_csv(pg::Connection& conn, const std::string& path);

// Session state and maintenance mode: never compared, never applied.
bool is_session_specific(const std::string& name);
// Differs by host; set by the provider.
bool is_host_specific(const Setting& s);
// The setting as SET syntax accepts it: "16384kB", "4000ms", "on".
std::string value_with_unit(const Setting& s);
// "name = 'value'" for ALTER ... SET; list settings (search_path, ...) get
// one literal per element.
std::string set_clause(const std::string& name, const std::string& value);
// True when a role of the given kind may set the parameter with ALTER
// DATABASE/ROLE ... SET (context "user", or "superuser" for a superuser).
bool settable_by_owner(const std::string& context, bool is_superuser);

struct SettingDifference {
  std::string name;
  std::string source_value, target_value;  // with units; empty when unknown there
  std::string category, target_context, source_origin;
  bool settable = false;  // ALTER DATABASE on the target can fix it
};

struct OverrideDifference {
  Override source;
  std::string target_value;  // empty: the target has no such override
  bool role_missing = false;
};

struct SettingsDiff {
  std::vector<SettingDifference> settings;       // meaningful
  std::vector<SettingDifference> host_specific;  // reported apart
  std::vector<OverrideDifference> role_overrides;
  std::vector<Override> source_database_overrides, target_database_overrides;

  // No meaningful setting and no role override differs.
  bool clean() const { return settings.empty() && role_overrides.empty(); }
};

SettingsDiff diff_settings(const ServerSettings& source, const ServerSettings& target);

struct ConsoleItem {
  std::string name, value, reason;
};

struct ApplyResult {
  std::vector<std::string> applied;        // statements run on the target
  std::vector<ConsoleItem> needs_console;  // the provider's console must set these
  // Settings the target's server does not have at all (a newer major
  // removed them): nothing can set them there.
  std::vector<ConsoleItem> not_on_target;
  std::vector<std::string> missing_roles;  // role overrides skipped: no such role
};

// Applies the meaningful differences (ALTER DATABASE target SET) and the
// role overrides for roles present on the target (ALTER ROLE ... IN DATABASE
// ... SET); what the target refuses or cannot set goes to needs_console.
// With dry_run, lists the statements without running them.
Result<ApplyResult> apply_settings(pg::Connection& source, pg::Connection& target,
                                   bool dry_run = false);

// Whether the server `conn` talks to has a run-time parameter `name` at
// all. pg_settings hides superuser-only ones from other roles, so a
// missing row there is not enough: current_setting(name, true) is NULL
// only for a name the server does not know, and refuses (42501) one it
// hides, which counts as known.
Result<bool> server_has_setting(pg::Connection& conn, const std::string& name);

nlohmann::json to_json(const SettingsDiff& diff);
nlohmann::json to_json(const ApplyResult& result);
std::string to_text(const SettingsDiff& diff);
std::string to_text(const ApplyResult& result);

}  // namespace pgshuttle::settings
