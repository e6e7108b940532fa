#include "storage/sigv4.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "storage/crypto.h"

namespace pgshuttle::storage {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces, as SigV4 wants header values.
std::string canonical_header_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string normalize(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = next + 1;
  }
  bool trailing = !path.empty() && path.back() == '/';
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += segments[i];
  }
  if (trailing && !segments.empty()) out += '/';
  return out;
}

std::string canonical_query(const KeyValues& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& [k, v] : query) enc.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string signing_key(const Credentials& c, const SigningScope& s) {
  std::string k = hmac_sha256("AWS4" + c.secret_access_key, s.amz_date.substr(0, 8));
  k = hmac_sha256(k, s.region);
  k = hmac_sha256(k, s.service);
  return hmac_sha256(k, "aws4_request");
}

std::string credential_scope(const SigningScope& s) {
  return fmt::format("{}/{}/{}/aws4_request", s.amz_date.substr(0, 8), s.region, s.service);
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string uri_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Signature sign(const SigningRequest& request, const SigningScope& scope,
               const Credentials& credentials) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    auto& slot = headers[lower(name)];
    if (!slot.empty()) slot += ',';
    slot += canonical_header_value(value);
  }
  Signature sig;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!sig.signed_headers.empty()) sig.signed_headers += ';';
    sig.signed_headers += name;
  }
  std::string path = scope.normalize_path ? normalize(request.path) : request.path;
  sig.canonical_request = fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method,
                                      uri_encode(path, true), canonical_query(request.query),
                                      canonical_headers, sig.signed_headers, request.payload_hash);
  sig.string_to_sign = fmt::format("{}\n{}\n{}\n{}", kAlgorithm, scope.amz_date,
                                   credential_scope(scope), sha256_hex(sig.canonical_request));
  sig.signature = to_hex(hmac_sha256(signing_key(credentials, scope), sig.string_to_sign));
  sig.authorization = fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kAlgorithm,
                                  credentials.access_key_id, credential_scope(scope),
                                  sig.signed_headers, sig.signature);
  return sig;
}

Signature sign_headers(SigningRequest& request, const SigningScope& scope,
                       const Credentials& credentials) {
  request.headers.emplace_back("x-amz-date", scope.amz_date);
  request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  Signature sig = sign(request, scope, credentials);
  request.headers.emplace_back("Authorization", sig.authorization);
  return sig;
}

std::string presign(const std::string& scheme_host, SigningRequest request,
                    const SigningScope& scope, const Credentials& credentials,
                    std::chrono::seconds expires) {
  size_t host_at = scheme_host.find("://");
  std::string host = host_at == std::string::npos ? scheme_host : scheme_host.substr(host_at + 3);
  request.headers = {{"host", host}};
  request.payload_hash = std::string(kUnsignedPayload);
  request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request.query.emplace_back("X-Amz-Credential",
                             credentials.access_key_id + "/" + credential_scope(scope));
  request.query.emplace_back("X-Amz-Date", scope.amz_date);
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  request.query.emplace_back("X-Amz-SignedHeaders", "host");
  if (!credentials.session_token.empty()) {
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  Signature sig = sign(request, scope, credentials);
  return fmt::format("{}{}?{}&X-Amz-Signature={}", scheme_host, uri_encode(request.path, true),
                     canonical_query(request.query), sig.signature);
}

}  // namespace pgshuttle::storage
