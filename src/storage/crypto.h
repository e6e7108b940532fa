// Hashing for request signing: SHA-256 and HMAC-SHA256 through OpenSSL,
// returned as raw bytes or lowercase hex.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pgshuttle::storage {

// Raw 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);
// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lowercase hex of arbitrary bytes.
std::string to_hex(std::string_view bytes);
// Standard base64 (with padding) of arbitrary bytes.
std::string base64(std::string_view bytes);

}  // namespace pgshuttle::storage
