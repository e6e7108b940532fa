// AWS Signature Version 4: the canonical request, the string to sign and the
// signature, for header-signed requests and presigned query URLs.
//
// sign() signs exactly what it is given (method, decoded path, decoded query
// parameters, headers, payload hash); it is what the AWS test vectors check.
// sign_headers() and presign() build S3 requests on top of it: they add the
// x-amz-* parameters, and never normalise the path (S3 keys may contain "//").
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "storage/credentials.h"

namespace pgshuttle::storage {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigningRequest {
  std::string method = "GET";
  std::string path = "/";  // decoded ("/bucket/my key"); encoded while signing
  KeyValues query;         // decoded names and values, any order
  KeyValues headers;       // names in any case; duplicates are joined with ","
  std::string payload_hash = std::string(kEmptyPayloadHash);
};

struct SigningScope {
  std::string amz_date;  // "20150830T123600Z"
  std::string region = "us-east-1";
  std::string service = "s3";
  bool normalize_path = false;  // true for non-S3 services (removes "." "..", "//")
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lowercase hex
  std::string authorization;   // the Authorization header value
};

// RFC 3986 percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9
// - . _ ~ is encoded as %XX (uppercase); "/" is kept when `keep_slash`.
std::string uri_encode(std::string_view text, bool keep_slash);
// Decodes %XX sequences (and nothing else; "+" stays "+").
std::string uri_decode(std::string_view text);

// "20150830T123600Z" for `when` in UTC.
std::string format_amz_date(std::chrono::system_clock::time_point when);

Signature sign(const SigningRequest& request, const SigningScope& scope,
               const Credentials& credentials);

// Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (when the
// credentials have one) and Authorization to `request.headers`, which must
// already hold "host". Returns the signature details.
Signature sign_headers(SigningRequest& request, const SigningScope& scope,
                       const Credentials& credentials);

// A presigned URL: `scheme_host` is "https://bucket.s3.amazonaws.com" or
// "http://127.0.0.1:9000" (the host header is taken from it), `request`
// holds method, path and any extra query parameters. The signature covers
// only the host header and UNSIGNED-PAYLOAD, like the AWS CLI's.
std::string presign(const std::string& scheme_host, SigningRequest request,
                    const SigningScope& scope, const Credentials& credentials,
                    std::chrono::seconds expires);

}  // namespace pgshuttle::storage
