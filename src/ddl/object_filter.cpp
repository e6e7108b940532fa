#include "ddl/object_filter.h"

#include "archive/archive_toc.h"
#include "core/log.h"
#include "core/subprocess.h"
#include "pg/passfile.h"

namespace pgshuttle::ddl {

bool is_table_pattern(const std::string& pattern) {
  bool quoted = false;
  for (char c : pattern) {
    if (c == '"') quoted = !quoted;  // "" inside quotes toggles twice: no change
    if (c == '.' && !quoted) return true;
  }
  return false;
}

Result<std::vector<std::string>> exact_name_parts(const std::string& pattern) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '"') {
      if (quoted && i + 1 < pattern.size() && pattern[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (quoted) {
      parts.back() += c;
    } else if (c == '.') {
      parts.emplace_back();
    } else if (c == '*' || c == '?') {
      return make_error(
          ErrorCode::kUsage,
          "restore takes exact names in --include/--exclude, not the pattern " + pattern,
          "name each schema or schema.table (pg_restore -l lists the archive's); "
          "backup, copy, verify and migrate take wildcards");
    } else {
      parts.back() += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  if (quoted || parts.size() > 2 || parts.front().empty() || parts.back().empty()) {
    return make_error(ErrorCode::kUsage, "not a schema or schema.table name: " + pattern,
                      "write schema or schema.table; double quotes keep case and dots");
  }
  return parts;
}

void ObjectFilter::include(const std::string& pattern) {
  (is_table_pattern(pattern) ? tables : schemas).push_back(pattern);
}

void ObjectFilter::exclude(const std::string& pattern) {
  (is_table_pattern(pattern) ? exclude_tables : exclude_schemas).push_back(pattern);
}

bool ObjectFilter::empty() const {
  return schemas.empty() && exclude_schemas.empty() && tables.empty() && exclude_tables.empty();
}

std::vector<std::string> ObjectFilter::pg_dump_args() const {
  std::vector<std::string> args;
  for (const auto& p : schemas) args.push_back("--schema=" + p);
  for (const auto& p : exclude_schemas) args.push_back("--exclude-schema=" + p);
  for (const auto& p : tables) args.push_back("--table=" + p);
  for (const auto& p : exclude_tables) args.push_back("--exclude-table=" + p);
  return args;
}

Result<Selection> selection_of_archive(std::string_view bytes, bool whole_schemas) {
  PGS_ASSIGN_OR_RETURN(auto toc, archive::parse_toc(bytes));
  Selection s;
  for (const auto& e : toc.entries) {
    if (e.desc == "SCHEMA") s.schemas.insert(e.tag);
    if (!e.namespace_name) continue;
    if (archive::defines_relation(e)) s.relations.insert(*e.namespace_name + "." + e.tag);
    if (whole_schemas) s.schemas.insert(*e.namespace_name);
  }
  return s;
}

Result<Selection> select_objects(const pg::ConnInfo& source, const ObjectFilter& filter,
                                 const std::string& pg_dump) {
  PGS_ASSIGN_OR_RETURN(auto passfile, pg::Passfile::create(source));
  SubprocessOptions sp;
  sp.argv = {pg_dump,      "--format=custom", "--schema-only",
             "--no-owner", "--no-acl",        "--no-password"};
  for (auto& a : filter.pg_dump_args()) sp.argv.push_back(std::move(a));
  sp.argv.push_back("--dbname=" + source.to_keyword_string_without_password());
  sp.env = passfile.env();
  sp.inherit_fds = passfile.inherit_fds();
  sp.capture_stdout = true;
  auto out = run_and_capture(sp);
  if (!out.ok()) {
    Error e = out.error();
    e.code = ErrorCode::kSource;
    e.message = "pg_dump could not select the --include/--exclude objects: " + e.message;
    if (e.hint.empty()) e.hint = "check the patterns (pg_dump -n/-t syntax) and the source";
    return e;
  }
  PGS_ASSIGN_OR_RETURN(Selection s, selection_of_archive(*out, filter.tables.empty()));
  s.includes = !filter.schemas.empty() || !filter.tables.empty();
  log::info("--include/--exclude select {} tables, views and sequences and {} whole schemas",
            s.relations.size(), s.schemas.size());
  return s;
}

}  // namespace pgshuttle::ddl
