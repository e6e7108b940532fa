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
