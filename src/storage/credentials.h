// AWS credentials, region and endpoint, found the way the AWS CLI finds them:
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the
// profile (AWS_PROFILE, default "default") in ~/.aws/credentials and
// ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE override the
// paths). Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
// then us-east-1. Endpoint: --endpoint, AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL, then AWS's own https://s3.<region>.amazonaws.com.
//
// The secret key and session token are registered with redact() as soon as
// they are loaded.
//
// Thread safety: plain values; the loaders read the environment and files.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"

namespace pgshuttle::storage {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// Everything an S3 operation needs besides the bucket and key.
struct S3Options {
  std::string endpoint;            // explicit --endpoint; empty = from env / AWS
  std::string region;              // explicit --region; empty = from env / profile
  std::string profile;             // explicit --profile; empty = AWS_PROFILE / default
  std::optional<bool> path_style;  // nullopt: path-style for custom endpoints
  std::string sse = "AES256";      // "", "AES256" or "aws:kms"
  std::string sse_kms_key_id;      // with sse == "aws:kms"
  int parts_in_flight = 4;         // concurrent multipart uploads
  uint64_t min_part_size = 8ull << 20;
  int max_tries = 5;  // HTTP attempts per request (retries + 1)
};

// Reads a value from the named profile in an INI-like AWS file; section
// names "profile x" (config) and "x" (credentials) are both accepted.
std::optional<std::string> read_aws_profile_value(const std::string& path,
                                                  const std::string& profile,
                                                  const std::string& key);

// The credentials chain; kS3Credentials when nothing is found.
Result<Credentials> load_credentials(const S3Options& options);
std::string resolve_region(const S3Options& options);
// The endpoint URL without trailing slash; empty means AWS itself.
std::string resolve_endpoint(const S3Options& options);

}  // namespace pgshuttle::storage
