// ObjectFilter: which schemas and tables a command works on, in pg_dump's
// own pattern language (-n/-N/-t/-T: unquoted names fold to lower case,
// * and ? are wildcards, "..." keeps case and dots). --include and
// --exclude take "schema" or "schema.table" patterns: a dot outside double
// quotes makes a table pattern. backup, copy, verify and migrate take the
// same options and mean the same objects.
//
// Selection: the objects a filter selects on one server, read from the
// table of contents of a schema-only pg_dump with that filter
// (archive::parse_toc). pg_dump does the matching, so no command matches
// patterns by rules of its own.
//
// Thread safety: plain values and functions.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/conninfo.h"

namespace pgshuttle::ddl {

struct ObjectFilter {
  std::vector<std::string> schemas, exclude_schemas;  // pg_dump -n, -N
  std::vector<std::string> tables, exclude_tables;    // pg_dump -t, -T

  // --include / --exclude: a table pattern when it has a dot outside
  // double quotes, else a schema pattern.
  void include(const std::string& pattern);
  void exclude(const std::string& pattern);
  bool empty() const;
  // --schema=..., --exclude-schema=..., --table=..., --exclude-table=...
  std::vector<std::string> pg_dump_args() const;
};

// True when `pattern` has a dot outside double quotes (a table pattern).
bool is_table_pattern(const std::string& pattern);

// A pattern without wildcards as the names it stands for, by pg_dump's
// rules: unquoted letters fold to lower case, "..." keeps its text ("" is
// one quote), a dot outside quotes separates schema and name. One or two
// parts. kUsage for * or ? outside quotes, or more than two parts: where no
// server can apply pg_dump's matching (names in an archive), only exact
// names are taken, named the same way.
Result<std::vector<std::string>> exact_name_parts(const std::string& pattern);

struct Selection {
  // "schema.name" of every selected table, view, materialized view, foreign
  // table and sequence (raw names, as verify keys its objects).
  std::set<std::string> relations;
  // Schemas selected as a whole (-n, or every schema but -N's): their other
  // objects (functions, types, ...) belong to the selection too.
  std::set<std::string> schemas;
  // The filter named what to take (--include); with excludes only, the
  // whole database but what they name is selected, database-wide objects
  // (extensions, large objects, settings) included, as pg_dump dumps them.
  bool includes = false;
};

// The objects `filter` selects on `source`, by `pg_dump` (the program).
Result<Selection> select_objects(const pg::ConnInfo& source, const ObjectFilter& filter,
                                 const std::string& pg_dump);

// The selection in a schema-only custom-format archive of a filtered
// pg_dump run; `whole_schemas`: the filter selects schemas as a whole (no
// -t), so every schema the archive holds objects of is selected whole.
Result<Selection> selection_of_archive(std::string_view archive, bool whole_schemas);

}  // namespace pgshuttle::ddl
