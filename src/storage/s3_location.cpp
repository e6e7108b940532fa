#include "storage/s3_location.h"

namespace pgshuttle::storage {

Result<S3Location> S3Location::parse(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return make_error(ErrorCode::kUsage, "not an S3 URL: '" + std::string(url) + "'",
                      "write it as s3://bucket/key");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) loc.key = std::string(rest.substr(slash + 1));
  bool valid = loc.bucket.size() >= 3 && loc.bucket.size() <= 63;
  for (char c : loc.bucket) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                      c == '_' || (c >= 'A' && c <= 'Z'));
  }
  if (!valid) {
    return make_error(ErrorCode::kUsage,
                      "bad bucket name '" + loc.bucket + "' in '" + std::string(url) + "'",
                      "bucket names are 3-63 characters: lowercase letters, digits, '-' and '.'");
  }
  return loc;
}

bool is_s3_url(std::string_view location) { return location.substr(0, 5) == "s3://"; }

bool is_http_url(std::string_view location) {
  return location.substr(0, 7) == "http://" || location.substr(0, 8) == "https://";
}

std::string S3Target::path(std::string_view key) const {
  return path_prefix + "/" + std::string(key);
}

S3Target make_target(const std::string& bucket, const std::string& endpoint,
                     const std::string& region, std::optional<bool> path_style) {
  S3Target t;
  std::string base = endpoint.empty() ? "https://s3." + region + ".amazonaws.com" : endpoint;
  bool path = path_style.value_or(!endpoint.empty() || bucket.find('.') != std::string::npos);
  size_t colon = base.find("://");
  std::string scheme = base.substr(0, colon + 3);
  std::string host = base.substr(colon + 3);
  if (size_t slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (path) {
    t.host = host;
    t.path_prefix = "/" + bucket;
  } else {
    t.host = bucket + "." + host;
  }
  t.scheme_host = scheme + t.host;
  return t;
}

}  // namespace pgshuttle::storage
