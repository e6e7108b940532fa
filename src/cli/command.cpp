#include "cli/command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "core/human.h"
#include "core/log.h"
#include "core/redact.h"

namespace pgshuttle::cli {
namespace {

std::map<std::string, CommandRegistrar>& registry() {
  static std::map<std::string, CommandRegistrar> r;
  return r;
}

}  // namespace

void CliContext::print_json(const nlohmann::json& value) const {
  // Reports may quote user input (URLs, connection strings): redact them too.
  std::cout << redact(value.dump(2)) << std::endl;
  printed_json = true;
}

void CliContext::print_json_error(const Error& e) const {
  nlohmann::json error = {{"code", static_cast<int>(e.code)},
                          {"name", error_code_name(e.code)},
                          {"message", e.message}};
  if (!e.hint.empty()) error["hint"] = e.hint;
  if (!e.context.empty()) error["context"] = e.context;
  if (!e.sqlstate.empty()) error["sqlstate"] = e.sqlstate;
  print_json({{"error", error}});
}

Result<std::string> database_text(const CLI::Option& argument, const std::string& value) {
  if (argument.count() > 0) return value;
  const char* env = std::getenv("DATABASE_URL");
  if (env == nullptr || *env == '\0') {
    return make_error(ErrorCode::kUsage, "no database given, and DATABASE_URL is not set",
                      "pass the database as postgresql://user@host:port/dbname, or export "
                      "DATABASE_URL");
  }
  log::info("using the database in DATABASE_URL");
  return std::string(env);
}

Result<pg::ConnInfo> database_argument(const CLI::Option& argument, const std::string& value) {
  PGS_ASSIGN_OR_RETURN(auto text, database_text(argument, value));
  return pg::ConnInfo::parse(text);
}

void add_s3_options(CLI::App* cmd, storage::S3Options& s3, std::string* sse) {
  cmd->add_option("--endpoint", s3.endpoint,
                  "S3 endpoint URL (default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS)");
  cmd->add_option("--region", s3.region, "AWS region (default AWS_REGION, the profile's)");
  cmd->add_option("--profile", s3.profile, "AWS profile (default AWS_PROFILE, default)");
  if (sse == nullptr) return;
  cmd->add_option("--sse", *sse, "Server-side encryption of stored objects")
      ->check(CLI::IsMember({"AES256", "aws:kms", "none"}))
      ->capture_default_str();
  cmd->add_option("--sse-kms-key-id", s3.sse_kms_key_id, "KMS key id with --sse aws:kms");
}

void add_pg_bindir_option(CLI::App* cmd, std::string& bindirs) {
  cmd->add_option("--pg-bindir", bindirs,
                  "Where to look first for pg_dump, pg_restore and psql (':'-separated bin "
                  "directories; default PGSHUTTLE_PG_BINDIR, then /usr/lib/postgresql/*/bin "
                  "and PATH)");
}

Result<int64_t> size_option(std::string_view option, const std::string& value) {
  if (auto bytes = parse_size(value)) return *bytes;
  return make_error(ErrorCode::kUsage, fmt::format("{}: cannot read size '{}'", option, value),
                    "write it like 256MB, 1GB or 0 (never)");
}

void add_filter_options(CLI::App* cmd, ddl::ObjectFilter& filter) {
  cmd->add_option_function<std::vector<std::string>>(
      "--include",
      [&filter](const std::vector<std::string>& patterns) {
        for (const auto& p : patterns) filter.include(p);
        if (!filter.schemas.empty() && !filter.tables.empty()) {
          // pg_dump dumps no whole schema once -t names tables.
          throw CLI::ValidationError(
              "--include",
              "schemas and tables together: pg_dump then takes only the tables; include the "
              "schema's tables by name (schema.*), or move the two parts one after the other");
        }
      },
      "Only this schema, or schema.table, as pg_dump -n / -t patterns (repeatable)");
  cmd->add_option_function<std::vector<std::string>>(
      "--exclude",
      [&filter](const std::vector<std::string>& patterns) {
        for (const auto& p : patterns) filter.exclude(p);
      },
      "Leave out this schema, or schema.table, as pg_dump -N / -T patterns (repeatable)");
}

bool register_command(const char* name, CommandRegistrar registrar) {
  registry()[name] = registrar;
  return true;
}

void add_all_commands(CLI::App& app, CliContext& context) {
  for (const auto& [name, registrar] : registry()) registrar(app, context);
}

}  // namespace pgshuttle::cli
