#include "storage/s3_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/parse_number.h"
#include "core/redact.h"
#include "storage/sigv4.h"

namespace pgshuttle::storage {
namespace {

std::string query_param(std::string_view url, std::string_view name) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = url.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == name && eq != std::string_view::npos) {
      return uri_decode(kv.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

// "2026-11-24 08:40:00 UTC" from X-Amz-Date + X-Amz-Expires of a presigned URL.
std::string presigned_expiry(std::string_view url) {
  std::string date = query_param(url, "X-Amz-Date");
  auto expires = parse_i64(query_param(url, "X-Amz-Expires"));
  std::tm tm{};
  if (date.size() != 16 || !expires || *expires < 0 || *expires > 10 * 365 * 86400 ||
      !strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &tm)) {
    return {};
  }
  std::time_t t = timegm(&tm) + static_cast<std::time_t>(*expires);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
  return buf;
}

// "s3://bucket/key" for a path-style or virtual-hosted (bucket.s3...) URL.
std::string s3_url_of(std::string_view url) {
  std::string path(url.substr(0, url.find('?')));
  size_t host_at = path.find("://");
  host_at = host_at == std::string::npos ? 0 : host_at + 3;
  size_t slash = path.find('/', host_at);
  if (slash == std::string::npos) return "s3://BUCKET/KEY";
  std::string host = path.substr(host_at, slash - host_at);
  size_t s3 = host.find(".s3.");
  if (s3 == std::string::npos) s3 = host.find(".s3-");
  std::string key = uri_decode(path.substr(slash + 1));
  if (s3 != std::string::npos) return "s3://" + host.substr(0, s3) + "/" + key;
  return "s3://" + key;
}

Error expired_error(std::string_view url, const HttpResponse& r) {
  std::string when = xml_tag(r.body, "Expires");
  if (when.empty()) when = presigned_expiry(url);
  return make_error(ErrorCode::kUrlExpired,
                    "the presigned URL has expired" + (when.empty() ? "" : " (at " + when + ")"),
                    "ask for a new URL: pgshuttle url " + s3_url_of(url) +
                        " --expires 1h (run by someone with access to the bucket)");
}

Error code_error(const std::string& code, const std::string& message, bool presigned) {
  auto e = [&](ErrorCode c, std::string text, std::string hint) {
    return make_error(c, text + (message.empty() ? "" : ": " + message), std::move(hint));
  };
  if (code == "SignatureDoesNotMatch") {
    return e(ErrorCode::kS3SignatureMismatch, "S3 refused the request signature",
             presigned ? "the URL was altered (copied incompletely?) or is used with another "
                         "method than it was signed for; make a new one with pgshuttle url"
                       : "check AWS_SECRET_ACCESS_KEY (or the profile's secret) and the region");
  }
  if (code == "NoSuchBucket") {
    return e(ErrorCode::kS3NoSuchBucket, "the bucket does not exist",
             "check the bucket name and the endpoint/region");
  }
  if (code == "NoSuchKey") {
    return e(ErrorCode::kS3NoSuchKey, "the object does not exist",
             "check the key (pgshuttle storage ls)");
  }
  if (code == "InvalidAccessKeyId") {
    return e(ErrorCode::kS3InvalidAccessKey, "S3 does not know this access key id",
             "check AWS_ACCESS_KEY_ID / the profile, and that the endpoint is the right one");
  }
  if (code == "ExpiredToken" || code == "InvalidToken") {
    return e(ErrorCode::kS3Credentials, "the session token is expired or invalid",
             "refresh the temporary credentials (AWS_SESSION_TOKEN)");
  }
  if (code == "AccessDenied") {
    return e(ErrorCode::kS3AccessDenied, "S3 denied access",
             presigned ? "the URL does not grant this request; make a new one with pgshuttle url"
                       : "check the IAM policy / bucket policy for this key");
  }
  if (code == "NotImplemented" && message.find("encryption") != std::string::npos) {
    return e(ErrorCode::kStorage, "this S3 server does not support server-side encryption",
             "retry with --sse none (the data is then stored unencrypted at rest)");
  }
  return e(ErrorCode::kStorage, "S3 error " + code, "");
}

}  // namespace

std::string xml_tag(std::string_view xml, std::string_view tag) {
  std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  size_t b = xml.find(open);
  if (b == std::string_view::npos) return {};
  b += open.size();
  size_t e = xml.find(close, b);
  if (e == std::string_view::npos) return {};
  std::string out(xml.substr(b, e - b));
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t p = out.find(from); p != std::string::npos; p = out.find(from, p + to.size())) {
      out.replace(p, from.size(), to);
    }
  }
  return out;
}

namespace {

// The signature, credential and token a presigned URL carries are secrets
// wherever they appear, also without their parameter name (a server may
// echo them in its error text): redact() learns them here.
void learn_url_secrets(std::string_view url) {
  for (std::string_view name : {"X-Amz-Signature=", "X-Amz-Credential=", "X-Amz-Security-Token="}) {
    size_t at = url.find(name);
    if (at == std::string_view::npos) continue;
    std::string_view value = url.substr(at + name.size());
    value = value.substr(0, value.find('&'));
    register_secret(value);
    // The access key id alone: the credential up to its first (encoded) slash.
    size_t slash = std::min(value.find("%2F"), value.find('/'));
    if (slash != std::string_view::npos) register_secret(value.substr(0, slash));
  }
}

}  // namespace

Error http_error(const HttpResponse& r, std::string_view method, std::string_view url) {
  bool presigned = url.find("X-Amz-Signature=") != std::string_view::npos;
  if (presigned) learn_url_secrets(url);
  std::string code = xml_tag(r.body, "Code"), message = xml_tag(r.body, "Message");
  Error err;
  bool expired =
      message.find("expired") != std::string::npos && (code == "AccessDenied" || code.empty());
  if (expired && presigned) {
    err = expired_error(url, r);
  } else if (!code.empty()) {
    err = code_error(code, message, presigned);
  } else if (r.status == 404) {
    err = code_error(method == "HEAD" ? "NoSuchKey" : "NotFound", "HTTP 404", presigned);
    if (method != "HEAD") err.code = ErrorCode::kNotFound;
  } else if (r.status == 403) {
    err = code_error("AccessDenied", "HTTP 403", presigned);
  } else {
    err = make_error(ErrorCode::kStorage, fmt::format("HTTP {}", r.status),
                     r.status >= 500 ? "the server failed; it was retried, try again later" : "");
  }
  err.message = redact(err.message);
  err.hint = redact(err.hint);
  err.context = redact(fmt::format("{} {}", method, url.substr(0, url.find('?'))));
  return err;
}

void add_if_match(KeyValues& headers, const std::string& etag) {
  if (!etag.empty() && etag.rfind("W/", 0) != 0) headers.emplace_back("If-Match", etag);
}

Error replaced_while_read(Error e, std::string_view what) {
  if (e.message.find("PreconditionFailed") == std::string::npos &&
      e.message.find("HTTP 412") == std::string::npos) {
    return e;
  }
  return make_error(ErrorCode::kArchiveChanged,
                    fmt::format("{} was replaced while it was being read (its ETag changed)", what),
                    "someone wrote another object under that name; nothing read after the change "
                    "was used. Restore from the archive you meant (pgshuttle transfers lists "
                    "backups), or take a new backup");
}

}  // namespace pgshuttle::storage
