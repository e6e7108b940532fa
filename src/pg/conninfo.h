// ConnInfo: a PostgreSQL connection string understood exactly as libpq
// understands it. Parsing is delegated to PQconninfoParse, so postgres://
// and postgresql:// URIs, key=value strings, and every libpq keyword work;
// PG* environment variables, service files and ~/.pgpass are applied by
// libpq when connecting (and by effective() for display).
//
// Thread safety: immutable value type once built.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pgshuttle::pg {

class ConnInfo {
 public:
  // Parses `text` (URI or key=value). An empty string means "all from the
  // environment", as psql does. Registers any password with redact().
  static Result<ConnInfo> parse(std::string_view text);

  // The keywords given explicitly, in libpq's canonical names.
  const std::map<std::string, std::string>& params() const { return params_; }
  std::string get(std::string_view key) const;
  bool has(std::string_view key) const { return params_.count(std::string(key)) > 0; }

  // The values libpq will use: explicit ones, then PG* environment variables
  // and libpq's built-in defaults (host/port/user/dbname/sslmode...).
  std::map<std::string, std::string> effective() const;

  // A key=value string for PQconnectdb, password included.
  std::string to_keyword_string() const;
  // The same without the password: safe for argv of a child process.
  std::string to_keyword_string_without_password() const;
  // A postgresql:// URI of the effective values; password as *** unless asked.
  std::string to_uri(bool show_password) const;

  // A copy with one keyword changed (dbname, application_name...).
  ConnInfo with(std::string_view key, std::string_view value) const;

  std::string password() const { return get("password"); }

 private:
  std::map<std::string, std::string> params_;
};

// Quotes a value for a libpq key=value string.
std::string quote_conninfo_value(std::string_view value);

}  // namespace pgshuttle::pg
