#include "storage/s3_client.h"

#include <fmt/format.h>

#include "core/log.h"
#include "core/parse_number.h"
#include "storage/crypto.h"
#include "storage/s3_error.h"
#include "storage/sigv4.h"
#include "storage/storage.h"

namespace pgshuttle::storage {
namespace {

std::string query_string(const KeyValues& query) {
  std::string out;
  for (const auto& [k, v] : query) {
    out += out.empty() ? "?" : "&";
    out += uri_encode(k, false) + (v.empty() && k != "prefix" ? "" : "=" + uri_encode(v, false));
  }
  return out;
}

// Splits `xml` into the contents of each <tag>...</tag>.
std::vector<std::string_view> xml_blocks(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  for (size_t b = xml.find(open); b != std::string_view::npos; b = xml.find(open, b)) {
    size_t e = xml.find(close, b);
    if (e == std::string_view::npos) break;
    out.push_back(xml.substr(b + open.size(), e - b - open.size()));
    b = e;
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<S3Client>> S3Client::create(const S3Options& options) {
  PGS_ASSIGN_OR_RETURN(Credentials creds, load_credentials(options));
  return std::make_shared<S3Client>(std::move(creds), resolve_region(options),
                                    resolve_endpoint(options), options);
}

S3Client::S3Client(Credentials credentials, std::string region, std::string endpoint,
                   S3Options options)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)) {}

Result<HttpResponse> S3Client::send(S3Request r) const {
  S3Target target = make_target(r.bucket, endpoint_, region_, options_.path_style);
  std::string path = target.path(r.key);
  HttpRequest http;
  http.method = r.method;
  http.url = target.scheme_host + uri_encode(path, true) + query_string(r.query);
  http.body = r.body;
  http.on_data = r.on_data;
  http.stream_status = r.stream_status;
  http.ignore_cancel = r.ignore_cancel;
  std::string payload_hash = r.method == "GET" || r.method == "HEAD" || r.method == "DELETE"
                                 ? std::string(kEmptyPayloadHash)
                                 : sha256_hex(r.body);
  http.before_try = [&](HttpRequest& req) {
    SigningRequest s{r.method, path, r.query, r.headers, payload_hash};
    s.headers.emplace_back("host", target.host);
    SigningScope scope{format_amz_date(std::chrono::system_clock::now()), region_, "s3", false};
    sign_headers(s, scope, credentials_);
    s.headers.erase(s.headers.begin() + static_cast<long>(r.headers.size()));  // curl sets Host
    req.headers = std::move(s.headers);
  };
  PGS_ASSIGN_OR_RETURN(HttpResponse resp, thread_client(options_.max_tries).perform(http));
  if (!resp.ok()) return http_error(resp, r.method, http.url);
  return resp;
}

std::string S3Client::presign(const S3Location& object, std::chrono::seconds expires,
                              std::chrono::system_clock::time_point now, std::string method) const {
  S3Target target = make_target(object.bucket, endpoint_, region_, options_.path_style);
  SigningRequest req;
  req.method = std::move(method);
  req.path = target.path(object.key);
  SigningScope scope{format_amz_date(now), region_, "s3", false};
  return storage::presign(target.scheme_host, req, scope, credentials_, expires);
}

KeyValues S3Client::sse_headers() const {
  KeyValues h;
  if (options_.sse.empty()) return h;
  h.emplace_back("x-amz-server-side-encryption", options_.sse);
  if (options_.sse == "aws:kms" && !options_.sse_kms_key_id.empty()) {
    h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", options_.sse_kms_key_id);
  }
  return h;
}

Result<uint64_t> S3Client::head_size(const S3Location& o) const {
  PGS_ASSIGN_OR_RETURN(ObjectHead h, head(o));
  return h.size;
}

Result<S3Client::ObjectHead> S3Client::head(const S3Location& o) const {
  auto head = send({"HEAD", o.bucket, o.key});
  if (head.ok()) {
    auto size = parse_u64(head->header("content-length"));
    if (!size) {
      return make_error(
          ErrorCode::kStorage,
          fmt::format("the S3 server sent no valid Content-Length for {}", o.to_string()),
          "check the endpoint: it does not answer HEAD like S3");
    }
    return ObjectHead{*size, head->header("etag")};
  }
  // A HEAD answer has no body, so its cause is vague: a one-byte GET names it
  // (SignatureDoesNotMatch rather than 403, NoSuchBucket rather than 404).
  S3Request probe{"GET", o.bucket, o.key, {}, {{"Range", "bytes=0-0"}}};
  auto get = send(std::move(probe));
  if (!get.ok()) return std::move(get).error();
  return std::move(head).error();
}

namespace {

// A 412 to a conditional write means the object exists (S3's
// PreconditionFailed); other errors pass unchanged.
Error precondition_error(Error e, const S3Location& o) {
  if (e.message.find("PreconditionFailed") == std::string::npos &&
      e.message.find("HTTP 412") == std::string::npos) {
    return e;
  }
  return destination_exists(o.to_string());
}

bool is_not_implemented(const Error& e) {
  return e.message.find("NotImplemented") != std::string::npos &&
         e.message.find("ncryption") == std::string::npos;
}

}  // namespace

Result<HttpResponse> S3Client::send_no_replace(const S3Request& r, const S3Location& o) const {
  if (conditional_writes_) {
    S3Request conditional = r;
    conditional.headers.emplace_back("If-None-Match", "*");
    auto sent = send(std::move(conditional));
    if (sent.ok()) return sent;
    if (!is_not_implemented(sent.error())) return precondition_error(std::move(sent).error(), o);
    if (conditional_writes_.exchange(false)) {
      log::info(
          "{} does not implement conditional writes (If-None-Match): checking that {} does not "
          "exist right before writing it instead",
          endpoint_, o.to_string());
    }
  }
  PGS_TRY(refuse_existing_object(*this, o));
  return send(r);
}

Status S3Client::put_object(const S3Location& o, std::string_view data, bool replace) const {
  S3Request r{"PUT", o.bucket, o.key, {}, sse_headers(), data};
  auto sent = replace ? send(std::move(r)) : send_no_replace(r, o);
  if (!sent.ok()) return std::move(sent).error();
  return ok_status();
}

Status S3Client::delete_object(const S3Location& o) const {
  // Deleting is how a cancelled backup cleans up: it runs after the cancel.
  S3Request r{"DELETE", o.bucket, o.key};
  r.ignore_cancel = true;
  PGS_TRY(send(std::move(r)));
  return ok_status();
}

Status S3Client::create_bucket(const std::string& bucket) const {
  S3Request r{"PUT", bucket, ""};
  if (region_ != "us-east-1") {
    static thread_local std::string body;
    body = "<CreateBucketConfiguration><LocationConstraint>" + region_ +
           "</LocationConstraint></CreateBucketConfiguration>";
    r.body = body;
  }
  PGS_TRY(send(std::move(r)));
  return ok_status();
}

Result<std::vector<S3Object>> S3Client::list(const std::string& bucket,
                                             const std::string& prefix) const {
  std::vector<S3Object> out;
  std::string token;
  do {
    S3Request r{"GET", bucket, "", {{"list-type", "2"}, {"prefix", prefix}}};
    if (!token.empty()) r.query.emplace_back("continuation-token", token);
    PGS_ASSIGN_OR_RETURN(auto resp, send(std::move(r)));
    for (auto block : xml_blocks(resp.body, "Contents")) {
      auto size = parse_u64(xml_tag(block, "Size"));
      if (!size) {
        return make_error(
            ErrorCode::kStorage,
            fmt::format("the S3 listing of {} has an object without a valid Size", bucket),
            "check the endpoint: it does not answer ListObjectsV2 like S3");
      }
      out.push_back({xml_tag(block, "Key"), *size, xml_tag(block, "LastModified")});
    }
    token = xml_tag(resp.body, "IsTruncated") == "true"
                ? xml_tag(resp.body, "NextContinuationToken")
                : "";
  } while (!token.empty());
  return out;
}

Result<std::vector<S3Upload>> S3Client::list_multipart_uploads(const std::string& bucket) const {
  PGS_ASSIGN_OR_RETURN(auto resp, send({"GET", bucket, "", {{"uploads", ""}}}));
  std::vector<S3Upload> out;
  for (auto block : xml_blocks(resp.body, "Upload")) {
    out.push_back({xml_tag(block, "Key"), xml_tag(block, "UploadId")});
  }
  return out;
}

Result<std::string> S3Client::create_multipart(const S3Location& o) const {
  PGS_ASSIGN_OR_RETURN(auto resp,
                       send({"POST", o.bucket, o.key, {{"uploads", ""}}, sse_headers()}));
  std::string id = xml_tag(resp.body, "UploadId");
  if (id.empty()) return make_error(ErrorCode::kStorage, "CreateMultipartUpload gave no UploadId");
  return id;
}

Result<std::string> S3Client::upload_part(const S3Location& o, const std::string& upload_id,
                                          int part_number, std::string_view data) const {
  S3Request r{"PUT", o.bucket,
              o.key, {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
              {},    data};
  PGS_ASSIGN_OR_RETURN(auto resp, send(std::move(r)));
  return resp.header("etag");
}

Status S3Client::complete_multipart(const S3Location& o, const std::string& upload_id,
                                    const std::vector<std::string>& etags, bool replace) const {
  std::string body = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    body += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, etags[i]);
  }
  body += "</CompleteMultipartUpload>";
  S3Request r{"POST", o.bucket, o.key, {{"uploadId", upload_id}}, {}, body};
  auto sent = replace ? send(std::move(r)) : send_no_replace(r, o);
  if (!sent.ok()) return std::move(sent).error();
  auto& resp = *sent;
  // S3 may answer 200 with an <Error> body when completion fails late.
  if (resp.body.find("<Error>") != std::string::npos) {
    return http_error(HttpResponse{500, {}, resp.body}, "POST", o.to_string());
  }
  return ok_status();
}

Status S3Client::abort_multipart(const S3Location& o, const std::string& upload_id) const {
  S3Request r{"DELETE", o.bucket, o.key, {{"uploadId", upload_id}}};
  r.ignore_cancel = true;
  auto sent = send(std::move(r));
  if (!sent.ok() && sent.error().message.rfind("S3 error NoSuchUpload", 0) == 0) return ok_status();
  if (!sent.ok()) return std::move(sent).error();
  return ok_status();
}

}  // namespace pgshuttle::storage
