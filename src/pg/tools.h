// PgTools: which pg_dump, pg_restore and psql to run for a pair of servers.
//
// A move between providers is usually also an upgrade. PostgreSQL's own
// advice for one is to dump with the newer version's pg_dump, and pg_dump
// refuses a server newer than itself; pg_restore reads archives of its own
// version and older. So the programs chosen are those of the higher of the
// two majors (the source's alone for a backup), from, in this order: the
// --pg-bindir option, PGSHUTTLE_PG_BINDIR (both a ':'-separated list of bin
// directories), Debian's /usr/lib/postgresql/*/bin, and PATH. The exact
// major is preferred, else the nearest newer one, else (with a warning) the
// newest that is still at least the source's major.
//
// A downgrade (a source newer than the target) is refused: a newer
// pg_dump's output uses syntax and catalog features an older server may not
// accept, and pgshuttle cannot prove such a move lossless.
//
// Thread safety: plain functions (they run `pg_dump --version`).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace pgshuttle::pg {

struct PgTools {
  int major = 0;       // of the programs
  std::string bindir;  // where they are ("" for PATH)
  std::string pg_dump = "pg_dump", pg_restore = "pg_restore", psql = "psql";
};

// Majors as server_version_num / 10000; 0 for "unknown / none" (a backup
// knows no target). kVersionMismatch for a downgrade or when no programs
// of at least the source's major are found (the message names the fix).
Result<PgTools> find_tools(int source_major, int target_major, const std::string& bindirs = "");

// The major of a client program (`PROGRAM --version`); 0 when it cannot be
// run or its answer is unreadable.
int tool_major(const std::string& program);

// The major version in `pg_dump --version` style output ("pg_dump
// (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> 15); 0 when unreadable.
int parse_tool_major(std::string_view version_output);

// The major of a server version string ("17.11", "13.23 (Debian ...)",
// "9.6.24"); 0 when unreadable.
int parse_server_major(std::string_view version);

}  // namespace pgshuttle::pg
