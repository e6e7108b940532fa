#include "check/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "check/superuser_objects.h"
#include "core/human.h"
#include "extensions/extension_plan.h"
#include "inspect/inspect.h"
#include "pg/tools.h"
#include "sql/check.h"
#include "sync/sync_source.h"
#include "target/target_objects.h"

namespace pgshuttle::check {
namespace {

struct DatabaseFacts {
  int version_num = 0;
  std::string encoding, collate, ctype;
  uint64_t size_bytes = 0;
  bool is_superuser = false, can_create_schema = false, can_create_in_public = false;
};

Result<DatabaseFacts> read_facts(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto r, conn.query(sql::check::database));
  return DatabaseFacts{
      static_cast<int>(r.get_int(0, 0)),      r.get(0, 1),      r.get(0, 2),      r.get(0, 3),
      static_cast<uint64_t>(r.get_int(0, 4)), r.get_bool(0, 5), r.get_bool(0, 6), r.get_bool(0, 7)};
}

std::string list_names(const std::vector<std::string>& names, size_t limit = 5) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > limit) out += fmt::format(" and {} more", names.size() - limit);
  return out;
}

void check_databases(CheckReport& rep, const DatabaseFacts& s, const DatabaseFacts& t) {
  if (s.encoding != t.encoding) {
    rep.add(Severity::kWarning, "encoding",
            fmt::format("encoding differs: source {}, target {}", s.encoding, t.encoding),
            "create the target database WITH ENCODING '" + s.encoding +
                "' (characters the target encoding lacks fail to load)");
  }
  if (s.collate != t.collate || s.ctype != t.ctype) {
    rep.add(Severity::kWarning, "collation",
            fmt::format("collation/ctype differ: source {}/{}, target {}/{}", s.collate, s.ctype,
                        t.collate, t.ctype),
            "create the target database with LC_COLLATE '" + s.collate + "' LC_CTYPE '" + s.ctype +
                "' TEMPLATE template0, or expect different sort orders and rebuilt "
                "indexes");
  }
  if (!t.is_superuser && !t.can_create_schema) {
    rep.add(Severity::kBlocker, "privilege-create-schema",
            "the target role may not create schemas or extensions (no CREATE on the database)",
            "GRANT CREATE ON DATABASE <db> TO <role>, or connect as the database owner");
  } else if (!t.is_superuser && !t.can_create_in_public) {
    rep.add(Severity::kWarning, "privilege-public-schema",
            "the target role may not create objects in schema public",
            "GRANT CREATE ON SCHEMA public TO <role> (or make the role own the database)");
  }
}

Status check_extensions(CheckReport& rep, pg::Connection& source, pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto plan, extensions::plan_extensions(source, target));
  for (const auto& i : plan.items) {
    if (i.action == extensions::ExtensionAction::kPresentIncompatible) {
      rep.add(Severity::kBlocker, "extension-version", "extension " + i.name + ": " + i.detail,
              "update the target's extension to the source's version, or update the source's "
              "to one the target offers before the migration");
    } else if (extensions::is_blocking(i.action)) {
      rep.add(Severity::kBlocker, "missing-extension",
              fmt::format("extension {} {} cannot be installed on the target as {}: {}", i.name,
                          i.source_version, plan.target_user, i.detail),
              "ask the provider to enable it or connect as a role allowed to create it; or "
              "drop it (and what uses it) on the source");
    } else if (i.action == extensions::ExtensionAction::kCreateOtherVersion ||
               i.action == extensions::ExtensionAction::kPresentOtherVersion) {
      rep.add(Severity::kWarning, "extension-version", "extension " + i.name + ": " + i.detail,
              "check the extension's release notes for differences between the versions");
    }
  }
  if (!plan.to_create().empty()) {
    std::vector<std::string> names;
    for (const auto* i : plan.to_create()) names.push_back(i->name);
    rep.add(Severity::kInfo, "extensions-to-create",
            "the target lacks extension(s) it can create: " + list_names(names, 20),
            "pgshuttle extensions sync SOURCE TARGET (restore does it too)");
  }
  return ok_status();
}

Status check_target_empty(CheckReport& rep, pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto objects, target::list_user_objects(target));
  if (objects.empty()) return ok_status();
  rep.add(Severity::kBlocker, "target-not-empty",
          fmt::format("the target database {} holds {} user object(s): {}", target.database(),
                      objects.size(), target::describe(objects)),
          "migrate into a new empty database (extensions pre-installed by the provider are "
          "fine), or drop them (copy/restore --clean --confirm " +
              target.database() + ")");
  return ok_status();
}

Status check_languages(CheckReport& rep, pg::Connection& source, bool target_superuser) {
  PGS_ASSIGN_OR_RETURN(auto r, source.query(sql::check::untrusted_languages));
  for (int i = 0; i < r.rows(); ++i) {
    rep.add(target_superuser ? Severity::kWarning : Severity::kBlocker, "untrusted-language",
            fmt::format("{} function(s) in untrusted language {}", r.get(i, 1), r.get(i, 0)),
            target_superuser ? "the target role is a superuser: they will load"
                             : "only a superuser can create them: ask the provider, or "
                               "rewrite them in a trusted language");
  }
  return ok_status();
}

Status check_roles(CheckReport& rep, pg::Connection& source, pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto used, source.query(sql::check::referenced_roles));
  PGS_ASSIGN_OR_RETURN(auto known, target.query(sql::check::roles));
  std::set<std::string> on_target;
  for (int i = 0; i < known.rows(); ++i) on_target.insert(known.get(i, 0));
  std::vector<std::string> missing;
  for (int i = 0; i < used.rows(); ++i) {
    if (!on_target.count(used.get(i, 0))) missing.push_back(used.get(i, 0));
  }
  if (missing.empty()) return ok_status();
  rep.add(Severity::kWarning, "missing-roles",
          fmt::format("{} role(s) that own or are granted objects do not exist on the target: {}",
                      missing.size(), list_names(missing)),
          "create them on the target (CREATE ROLE ...), or restore without owners and grants "
          "(the default: objects end up owned by the target role)");
  return ok_status();
}

void check_source_shape(CheckReport& rep, const inspect::InspectReport& src, bool target_su) {
  if (!src.event_triggers.empty()) {
    std::vector<std::string> names;
    for (const auto& e : src.event_triggers) names.push_back(e.name);
    rep.add(target_su ? Severity::kWarning : Severity::kBlocker, "event-triggers",
            fmt::format("{} event trigger(s): {}", names.size(), list_names(names)),
            target_su ? "they will be recreated; make sure they suit the target"
                      : "only a superuser can create event triggers: recreate them through "
                        "the provider, or drop them on the source before the dump");
  }
  if (src.large_object_count > 0) {
    rep.add(Severity::kWarning, "large-objects",
            fmt::format("{} large object(s){}", src.large_object_count,
                        src.large_object_bytes ? ", " + human_bytes(*src.large_object_bytes)
                                               : std::string()),
            "they are migrated one by one and slow a restore; consider bytea columns");
  }
  auto no_pk = src.tables_without_primary_key();
  if (!no_pk.empty()) {
    std::vector<std::string> names;
    for (const auto* t : no_pk) names.push_back(t->schema + "." + t->name);
    rep.add(Severity::kWarning, "no-primary-key",
            fmt::format("{} table(s) without a primary key: {}", names.size(), list_names(names)),
            "verify compares them as whole-row multisets (slower); add a primary key where a "
            "row has an identity");
  }
}

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kBlocker:
      return "blocker";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

int CheckReport::count(Severity s) const {
  int n = 0;
  for (const auto& f : findings) n += f.severity == s ? 1 : 0;
  return n;
}

ErrorCode CheckReport::outcome() const {
  if (count(Severity::kBlocker) > 0) return ErrorCode::kBlocked;
  if (count(Severity::kWarning) > 0) return ErrorCode::kWarnings;
  return ErrorCode::kOk;
}

void CheckReport::add(Severity s, std::string code, std::string message, std::string fix) {
  findings.push_back({s, std::move(code), std::move(message), std::move(fix)});
}

void check_versions(CheckReport& rep, int source_major, int target_major, int dump_major,
                    int restore_major) {
  if (target_major < source_major) {
    rep.add(Severity::kBlocker, "target-older",
            fmt::format("the target runs PostgreSQL {}, older than the source's {}: a downgrade",
                        target_major, source_major),
            "a dump loads reliably only into the same or a newer major: use a target of "
            "PostgreSQL " +
                std::to_string(source_major) + " or later");
  }
  if (dump_major == 0) {
    rep.add(Severity::kBlocker, "pg-dump-missing", "pg_dump was not found",
            "install the PostgreSQL client tools (postgresql-client-" +
                std::to_string(std::max(source_major, target_major)) + ") or pass --pg-dump");
  } else if (dump_major < source_major) {
    rep.add(Severity::kBlocker, "pg-dump-too-old",
            fmt::format("pg_dump {} cannot dump a PostgreSQL {} server", dump_major, source_major),
            "install postgresql-client-" + std::to_string(std::max(source_major, target_major)));
  }
  if (restore_major == 0) {
    rep.add(Severity::kBlocker, "pg-restore-missing", "pg_restore was not found",
            "install the PostgreSQL client tools or pass --pg-restore");
  } else if (dump_major != 0 && restore_major < dump_major) {
    rep.add(
        Severity::kBlocker, "pg-restore-too-old",
        fmt::format("pg_restore {} cannot read archives of pg_dump {}", restore_major, dump_major),
        "use pg_dump and pg_restore of the same major");
  } else if (restore_major > target_major && restore_major != 0) {
    rep.add(Severity::kWarning, "pg-restore-newer",
            fmt::format("pg_restore {} is newer than the target server {}", restore_major,
                        target_major),
            "usually fine; if statements fail, use the client tools of the target's major");
  }
}

namespace {

// The version findings for the programs a migration would run: those the
// options name, or those pg::find_tools chooses, as copy, backup and
// restore do. A search that finds none is a blocker in find_tools' words.
void check_tools(CheckReport& rep, const CheckOptions& options, int source_major,
                 int target_major) {
  if (!options.pg_dump.empty() || !options.pg_restore.empty()) {
    check_versions(rep, source_major, target_major,
                   pg::tool_major(options.pg_dump.empty() ? "pg_dump" : options.pg_dump),
                   pg::tool_major(options.pg_restore.empty() ? "pg_restore" : options.pg_restore));
    return;
  }
  // The newer of the two majors: a downgrade is its own finding here, and
  // the search still tells whether programs for the source exist.
  auto tools =
      pg::find_tools(source_major, std::max(source_major, target_major), options.pg_bindir);
  if (tools.ok()) {
    check_versions(rep, source_major, target_major, tools->major, tools->major);
    return;
  }
  rep.add(Severity::kBlocker, "pg-tools-missing", tools.error().message, tools.error().hint);
  // The programs' finding is made; only the servers' majors are left.
  int either = std::max(source_major, target_major);
  check_versions(rep, source_major, target_major, either, either);
}

// What sync needs of the source, in sync's own words (sync_source.h).
void check_online(CheckReport& rep, pg::Connection& source, const inspect::InspectReport& src,
                  const CheckOptions& options) {
  if (Status decodes = sync::check_source(source); !decodes.ok()) {
    rep.add(Severity::kBlocker, "online-source", decodes.error().message, decodes.error().hint);
  }
  const auto& selected = options.online_selection;
  if (auto tables = sync::sync_tables(source, selected ? &*selected : nullptr); !tables.ok()) {
    rep.add(Severity::kBlocker, "online-tables", tables.error().message, tables.error().hint);
  }
  if (src.large_object_count > 0) {
    rep.add(Severity::kWarning, "online-large-objects",
            fmt::format("{} large object(s): logical decoding does not carry them, so sync "
                        "copies them at its start and, at cutover, again those changed since "
                        "(reading each once on both sides, inside the downtime)",
                        src.large_object_count),
            "many or big large objects lengthen the cutover: measure it with a trial sync, "
            "or migrate offline");
  }
}

}  // namespace

Result<CheckReport> run_check(pg::Connection& source, pg::Connection& target,
                              const CheckOptions& options) {
  CheckReport rep;
  PGS_ASSIGN_OR_RETURN(auto src, inspect::inspect_database(source));
  PGS_ASSIGN_OR_RETURN(auto s, read_facts(source));
  PGS_ASSIGN_OR_RETURN(auto t, read_facts(target));
  rep.source_version_num = s.version_num;
  rep.target_version_num = t.version_num;
  rep.source_size_bytes = s.size_bytes;
  check_tools(rep, options, s.version_num / 10000, t.version_num / 10000);
  PGS_TRY(check_extensions(rep, source, target));
  check_databases(rep, s, t);
  PGS_TRY(check_target_empty(rep, target));
  PGS_TRY(check_languages(rep, source, t.is_superuser));
  PGS_TRY(check_superuser_objects(rep, source, t.is_superuser));
  check_source_shape(rep, src, t.is_superuser);
  if (options.online) check_online(rep, source, src, options);
  PGS_TRY(check_roles(rep, source, target));
  rep.estimated_seconds = static_cast<double>(s.size_bytes) / options.bytes_per_second;
  rep.add(Severity::kInfo, "estimate",
          fmt::format("source database {} is {}; dump and restore take roughly {} at {}/s",
                      source.database(), human_bytes(s.size_bytes),
                      human_duration(std::chrono::duration<double>(rep.estimated_seconds)),
                      human_bytes(static_cast<uint64_t>(options.bytes_per_second))),
          "index builds and large objects can add to this; measure with a trial run");
  return rep;
}

}  // namespace pgshuttle::check
