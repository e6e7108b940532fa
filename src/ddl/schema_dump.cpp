#include "ddl/schema_dump.h"

#include "core/log.h"
#include "core/subprocess.h"
#include "pg/passfile.h"

namespace pgshuttle::ddl {

std::vector<std::string> schema_dump_args(const SchemaDumpOptions& o) {
  std::vector<std::string> args = {o.pg_dump, "--format=plain", "--no-password"};
  args.push_back(o.section == Section::kPreData ? "--section=pre-data" : "--section=post-data");
  if (!o.snapshot.empty()) args.push_back("--snapshot=" + o.snapshot);
  if (!o.keep_owner) args.push_back("--no-owner");
  if (!o.keep_acl) args.push_back("--no-acl");
  if (o.large_objects && o.section == Section::kPreData) args.push_back("--blobs");
  for (auto& a : o.filter.pg_dump_args()) args.push_back(std::move(a));
  return args;
}

Result<std::string> dump_schema(const pg::ConnInfo& source, const SchemaDumpOptions& options) {
  PGS_ASSIGN_OR_RETURN(auto passfile, pg::Passfile::create(source));
  SubprocessOptions sp;
  sp.argv = schema_dump_args(options);
  sp.argv.push_back("--dbname=" + source.to_keyword_string_without_password());
  sp.env = passfile.env();
  sp.inherit_fds = passfile.inherit_fds();
  sp.capture_stdout = true;
  log::debug("running pg_dump {}", options.section == Section::kPreData ? "pre-data" : "post-data");
  auto out = run_and_capture(sp);
  if (!out.ok()) {
    Error e = out.error();
    e.code = ErrorCode::kSource;
    e.message = "pg_dump failed: " + e.message;
    if (e.hint.empty()) e.hint = "check that pg_dump is installed and can reach the source";
    return e;
  }
  return std::move(out).value();
}

}  // namespace pgshuttle::ddl
