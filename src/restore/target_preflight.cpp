#include "restore/target_preflight.h"

#include <fmt/format.h>

#include <map>

#include "core/log.h"
#include "sql/restore.h"

namespace pgshuttle::restore {

ExtensionRequest ExtensionRequest::parse(const std::string& text) {
  ExtensionRequest r;
  size_t dot = text.find('.');
  if (dot == std::string::npos) {
    r.name = text;
  } else {
    r.schema = text.substr(0, dot);
    r.name = text.substr(dot + 1);
  }
  return r;
}

Result<std::vector<std::string>> list_user_objects(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::restore::user_objects));
  std::vector<std::string> out;
  for (int i = 0; i < rows.rows(); ++i) out.push_back(rows.get(i, 0) + " " + rows.get(i, 1));
  return out;
}

Status guard_target(pg::Connection& conn, const std::vector<std::string>& objects, bool clean,
                    const std::string& confirm) {
  if (objects.empty()) return ok_status();
  std::string db = conn.database();
  std::string sample;
  for (size_t i = 0; i < objects.size() && i < 5; ++i) sample += (i ? ", " : "") + objects[i];
  if (objects.size() > 5) sample += fmt::format(" and {} more", objects.size() - 5);
  if (clean && confirm == db) return ok_status();
  std::string why = !clean ? "--clean is not set"
                    : confirm.empty()
                        ? "--confirm is missing"
                        : fmt::format("--confirm {} does not match the database name", confirm);
  return make_error(
      ErrorCode::kTargetNotEmpty,
      fmt::format("target database {} is not empty ({} user objects: {}); refusing to restore "
                  "over it because {}",
                  db, objects.size(), sample, why),
      fmt::format("restore into an empty database, or pass --clean --confirm {} to drop what "
                  "the target holds first",
                  db));
}

Status clean_target(pg::Connection& conn) {
  log::warn("dropping every object owned by {} in database {} (--clean)", conn.user(),
            conn.database());
  PGS_TRY(conn.exec("DROP OWNED BY CURRENT_USER CASCADE"));
  PGS_ASSIGN_OR_RETURN(auto left, list_user_objects(conn));
  if (left.empty()) return ok_status();
  return make_error(ErrorCode::kTargetNotEmpty,
                    fmt::format("after --clean, {} objects owned by other roles remain (first: {})",
                                left.size(), left.front()),
                    "drop them as their owner or a superuser, or restore into a new database");
}

Status check_extensions(pg::Connection& conn, const std::vector<std::string>& names) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::restore::available_extensions));
  std::map<std::string, bool> usable;
  std::string offered;
  for (int i = 0; i < rows.rows(); ++i) {
    bool ok = rows.get_bool(i, 1) || rows.get_bool(i, 2);
    usable[rows.get(i, 0)] = ok;
    if (ok) offered += (offered.empty() ? "" : ", ") + rows.get(i, 0);
  }
  std::vector<std::string> missing;
  for (const auto& n : names) {
    auto it = usable.find(n);
    if (it == usable.end()) {
      missing.push_back(n + " (not available on the target)");
    } else if (!it->second) {
      missing.push_back(n + " (needs a superuser: not trusted)");
    }
  }
  if (missing.empty()) return ok_status();
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : "; ") + m;
  return make_error(ErrorCode::kMissingExtension,
                    fmt::format("the target cannot install {} extension(s): {}; nothing was "
                                "restored",
                                missing.size(), list),
                    "the target (as " + conn.user() + ") offers: " + offered +
                        ". Ask the provider to enable the extension, or remove it from the "
                        "source before the backup");
}

Status create_extensions(pg::Connection& conn, const std::vector<ExtensionRequest>& requests) {
  for (const auto& r : requests) {
    std::string sql = "CREATE EXTENSION IF NOT EXISTS " + conn.quote_ident(r.name);
    if (!r.schema.empty()) {
      PGS_TRY(conn.exec("CREATE SCHEMA IF NOT EXISTS " + conn.quote_ident(r.schema)));
      sql += " WITH SCHEMA " + conn.quote_ident(r.schema);
    }
    log::info("creating extension {}", r.name);
    auto s = conn.exec(sql);
    if (!s.ok()) return s.error().with_context("extension " + r.name);
  }
  return ok_status();
}

}  // namespace pgshuttle::restore
