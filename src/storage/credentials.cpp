#include "storage/credentials.h"

#include <cstdlib>
#include <fstream>

#include "core/redact.h"

namespace pgshuttle::storage {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::string aws_file(const char* override_var, const char* name) {
  std::string path = env(override_var);
  if (!path.empty()) return path;
  return env("HOME") + "/.aws/" + name;
}

std::string profile_name(const S3Options& o) {
  if (!o.profile.empty()) return o.profile;
  std::string p = env("AWS_PROFILE");
  return p.empty() ? "default" : p;
}

std::optional<std::string> profile_value(const S3Options& o, const std::string& key) {
  std::string profile = profile_name(o);
  auto v =
      read_aws_profile_value(aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"), profile, key);
  if (v) return v;
  return read_aws_profile_value(aws_file("AWS_CONFIG_FILE", "config"), profile, key);
}

}  // namespace

std::optional<std::string> read_aws_profile_value(const std::string& path,
                                                  const std::string& profile,
                                                  const std::string& key) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  bool in_section = false;
  for (std::string raw; std::getline(in, raw);) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string name = trim(line.substr(1, line.size() - 2));
      if (name.rfind("profile ", 0) == 0) name = trim(name.substr(8));
      in_section = name == profile;
      continue;
    }
    if (!in_section) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    if (trim(line.substr(0, eq)) == key) return trim(line.substr(eq + 1));
  }
  return std::nullopt;
}

Result<Credentials> load_credentials(const S3Options& options) {
  Credentials c;
  c.access_key_id = env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  c.session_token = env("AWS_SESSION_TOKEN");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || !options.profile.empty()) {
    c = Credentials{};
    c.access_key_id = profile_value(options, "aws_access_key_id").value_or("");
    c.secret_access_key = profile_value(options, "aws_secret_access_key").value_or("");
    c.session_token = profile_value(options, "aws_session_token").value_or("");
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return make_error(ErrorCode::kS3Credentials,
                      "no AWS credentials found (profile '" + profile_name(options) + "')",
                      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add the profile to "
                      "~/.aws/credentials (aws configure), or choose one with AWS_PROFILE");
  }
  register_secret(c.secret_access_key);
  register_secret(c.session_token);
  return c;
}

std::string resolve_region(const S3Options& options) {
  if (!options.region.empty()) return options.region;
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = env(var);
    if (!v.empty()) return v;
  }
  return profile_value(options, "region").value_or("us-east-1");
}

std::string resolve_endpoint(const S3Options& options) {
  std::string e = options.endpoint;
  if (e.empty()) e = env("AWS_ENDPOINT_URL_S3");
  if (e.empty()) e = env("AWS_ENDPOINT_URL");
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

}  // namespace pgshuttle::storage
