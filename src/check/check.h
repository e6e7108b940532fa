// Check: the migration preflight. Reads the source, the target and the local
// pg_dump/pg_restore, writes nothing, and returns findings — each a blocker
// (the migration would fail or lose something), a warning (it works, but
// read this) or information (size and duration estimate) — with the fix.
//
// Covered: client tool versions against both servers, a target major older
// than the source, extensions the target lacks or may not create, CREATE
// privileges on the target, a non-empty target, encoding/collation/ctype,
// event triggers, untrusted languages and other objects only a superuser can
// create (superuser_objects.h), large objects, tables without a
// primary key, roles that objects reference but the target lacks.
//
// Thread safety: functions use the calling thread's connections.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::check {

enum class Severity { kBlocker, kWarning, kInfo };
std::string_view severity_name(Severity s);

struct Finding {
  Severity severity = Severity::kInfo;
  std::string code;     // stable id: "missing-extension", "target-not-empty", ...
  std::string message;  // what was found
  std::string fix;      // what to do
};

struct CheckOptions {
  // Program names or paths; empty: the programs copy, backup and restore
  // would choose (pg::find_tools, searching pg_bindir first).
  std::string pg_dump, pg_restore;
  std::string pg_bindir;
  // Also what an online migration (sync) needs of the source: logical
  // decoding, the REPLICATION privilege, a free slot, a key on every table.
  bool online = false;
  // With online and a filter (--include/--exclude): "schema.name" of the
  // relations it selects (sync::selected_relations); only those are checked.
  std::optional<std::set<std::string>> online_selection;
  // Rough end-to-end dump + restore rate used for the duration estimate.
  double bytes_per_second = 40.0 * 1024 * 1024;
};

struct CheckReport {
  std::vector<Finding> findings;
  int source_version_num = 0;
  int target_version_num = 0;
  uint64_t source_size_bytes = 0;
  double estimated_seconds = 0;

  int count(Severity s) const;
  // kOk, kWarnings (warnings only) or kBlocked.
  ErrorCode outcome() const;
  void add(Severity s, std::string code, std::string message, std::string fix);
};

Result<CheckReport> run_check(pg::Connection& source, pg::Connection& target,
                              const CheckOptions& options = {});

// Adds the version findings (pure; unit-tested). Majors are e.g. 15; a tool
// major of 0 means the tool was not found.
void check_versions(CheckReport& report, int source_major, int target_major, int dump_major,
                    int restore_major);

nlohmann::json to_json(const CheckReport& report);
std::string to_text(const CheckReport& report);

}  // namespace pgshuttle::check
