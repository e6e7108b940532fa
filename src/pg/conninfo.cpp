#include "pg/conninfo.h"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <memory>

#include "core/redact.h"

namespace pgshuttle::pg {
namespace {

struct OptionsDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

// Percent-encodes a URI component (RFC 3986 unreserved characters kept).
std::string uri_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

std::string quote_conninfo_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

Result<ConnInfo> ConnInfo::parse(std::string_view text) {
  ConnInfo info;
  // libpq reads an empty string as "all defaults" (PGHOST, the local socket,
  // the login name): an unset shell variable would connect to the wrong
  // place, so it is refused rather than guessed.
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return make_error(ErrorCode::kUsage, "empty connection string (an unset shell variable?)",
                      "pass postgresql://user@host:port/dbname; to use libpq's PG* environment "
                      "variables on purpose, pass e.g. 'dbname=NAME'");
  }
  char* err = nullptr;
  std::string s(text);
  OptionsPtr opts(PQconninfoParse(s.c_str(), &err));
  if (!opts) {
    std::string why = err ? err : "out of memory";
    if (err) PQfreemem(err);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return make_error(ErrorCode::kUsage,
                      fmt::format("cannot parse connection string '{}': {}", redact(text), why),
                      "use postgresql://user:password@host:port/dbname or "
                      "'host=... port=... dbname=... user=...'");
  }
  for (auto* o = opts.get(); o->keyword; ++o) {
    if (o->val && *o->val) info.params_[o->keyword] = o->val;
  }
  if (info.has("password")) register_secret(info.get("password"));
  return info;
}

std::string ConnInfo::get(std::string_view key) const {
  auto it = params_.find(std::string(key));
  return it == params_.end() ? std::string() : it->second;
}

std::map<std::string, std::string> ConnInfo::effective() const {
  std::map<std::string, std::string> out;
  OptionsPtr defaults(PQconndefaults());
  if (defaults) {
    for (auto* o = defaults.get(); o->keyword; ++o) {
      if (o->val && *o->val) out[o->keyword] = o->val;
    }
  }
  for (const auto& [k, v] : params_) out[k] = v;
  // libpq's own default for dbname is the user name.
  if (!out.count("dbname") && out.count("user")) out["dbname"] = out["user"];
  if (!out.count("host")) out["host"] = "/var/run/postgresql";
  if (!out.count("port")) out["port"] = "5432";
  if (!out.count("sslmode")) out["sslmode"] = "prefer";
  return out;
}

std::string ConnInfo::to_keyword_string() const {
  std::string out;
  for (const auto& [k, v] : params_) {
    if (!out.empty()) out += ' ';
    out += k + "=" + quote_conninfo_value(v);
  }
  return out;
}

std::string ConnInfo::to_keyword_string_without_password() const {
  ConnInfo copy = *this;
  copy.params_.erase("password");
  return copy.to_keyword_string();
}

std::string ConnInfo::to_uri(bool show_password) const {
  auto eff = effective();
  std::string out = "postgresql://";
  if (eff.count("user")) {
    out += uri_encode(eff["user"]);
    if (has("password")) out += ":" + (show_password ? uri_encode(password()) : "***");
    out += "@";
  }
  std::string host = eff["host"];
  if (!host.empty() && host[0] == '/') {
    out += "";  // socket directory goes in the query string
  } else {
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  }
  out += ":" + eff["port"] + "/" + uri_encode(eff["dbname"]);
  std::string query;
  if (!host.empty() && host[0] == '/') query += "host=" + uri_encode(host);
  if (has("sslmode"))
    query += (query.empty() ? "" : "&") + std::string("sslmode=") + get("sslmode");
  if (!query.empty()) out += "?" + query;
  return out;
}

ConnInfo ConnInfo::with(std::string_view key, std::string_view value) const {
  ConnInfo copy = *this;
  copy.params_[std::string(key)] = std::string(value);
  return copy;
}

}  // namespace pgshuttle::pg
