// SchemaDump: runs pg_dump for one section of the schema (pre-data or
// post-data) and returns its plain-text script, ready for parse_ddl_script().
//
// The password reaches pg_dump through a private passfile (pg/passfile.h),
// never argv. Managed-provider defaults: no owners and no ACLs unless asked.
//
// Thread safety: a pure function; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/conninfo.h"

namespace pgshuttle::ddl {

enum class Section { kPreData, kPostData };

struct SchemaDumpOptions {
  Section section = Section::kPreData;
  std::string snapshot;  // exported snapshot id; empty for none
  bool keep_owner = false;
  bool keep_acl = false;
  bool large_objects = true;        // include large object metadata (pre-data)
  ObjectFilter filter;              // pg_dump's -n / -N / -t / -T
  std::string pg_dump = "pg_dump";  // the program (pg::find_tools chooses it)
};

// The pg_dump argv (without connection details) for `options`; for tests.
std::vector<std::string> schema_dump_args(const SchemaDumpOptions& options);

// Runs pg_dump against `source`; returns the script text.
Result<std::string> dump_schema(const pg::ConnInfo& source, const SchemaDumpOptions& options);

}  // namespace pgshuttle::ddl
