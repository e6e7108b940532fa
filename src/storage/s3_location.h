// S3Location: an object or prefix named "s3://bucket/key", and S3Target: the
// URL a request for it goes to, path-style ("http://host:port/bucket/key",
// used for custom endpoints) or virtual-hosted
// ("https://bucket.s3.<region>.amazonaws.com/key", AWS's default).
//
// Thread safety: plain values.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/credentials.h"

namespace pgshuttle::storage {

struct S3Location {
  std::string bucket;
  std::string key;  // may be empty (a bucket, or a prefix for listing)

  // Parses "s3://bucket/key"; kUsage with a hint when malformed.
  static Result<S3Location> parse(std::string_view url);
  std::string to_string() const { return "s3://" + bucket + (key.empty() ? "" : "/" + key); }
};

bool is_s3_url(std::string_view location);
bool is_http_url(std::string_view location);

// Where to send requests for one bucket.
struct S3Target {
  std::string scheme_host;  // "http://127.0.0.1:9000" or "https://b.s3.us-east-1.amazonaws.com"
  std::string host;         // the Host header
  std::string path_prefix;  // "/bucket" (path-style) or "" (virtual-hosted)

  // The decoded request path for `key` ("/bucket/key" or "/key").
  std::string path(std::string_view key) const;
};

// Chooses path-style or virtual-hosted addressing from `endpoint` (may be
// empty for AWS), `region` and the option; buckets with dots use path-style
// over https to keep certificates valid.
S3Target make_target(const std::string& bucket, const std::string& endpoint,
                     const std::string& region, std::optional<bool> path_style);

}  // namespace pgshuttle::storage
