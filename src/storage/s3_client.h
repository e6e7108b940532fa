// S3Client: signed S3 requests (SigV4 in headers, payload hashed) for one
// endpoint, region and set of credentials, and the handful of S3 operations
// pgshuttle needs: HEAD, (ranged) GET, PUT, multipart upload, list, delete,
// create bucket, and presigned URLs.
//
// Every request is re-signed before each retry (http_client.h), so a long
// backoff never sends a stale date. Errors come back through s3_error.h.
//
// Thread safety: an S3Client is immutable after create() and may be shared;
// each thread uses its own connection (a thread-local HttpClient).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/credentials.h"
#include "storage/http_client.h"
#include "storage/s3_location.h"

namespace pgshuttle::storage {

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string last_modified;
};

struct S3Upload {
  std::string key;
  std::string upload_id;
};

struct S3Request {
  std::string method = "GET";
  std::string bucket;
  std::string key;
  KeyValues query;
  KeyValues headers;
  std::string_view body;
  std::function<bool(std::string_view)> on_data;  // streaming GET
  long stream_status = 0;                         // see HttpRequest
  bool ignore_cancel = false;                     // see HttpRequest
};

class S3Client {
 public:
  // Resolves credentials, region and endpoint (credentials.h).
  static Result<std::shared_ptr<S3Client>> create(const S3Options& options);
  S3Client(Credentials credentials, std::string region, std::string endpoint, S3Options options);

  // Sends a signed request; a non-2xx answer becomes an Error (s3_error.h).
  Result<HttpResponse> send(S3Request request) const;

  // A presigned URL for `method` on the object, valid for `expires` from `now`.
  std::string presign(const S3Location& object, std::chrono::seconds expires,
                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                      std::string method = "GET") const;

  // What a HEAD says about an object: its size and its entity tag (quoted,
  // as the server sends it; it changes whenever the object is replaced).
  struct ObjectHead {
    uint64_t size = 0;
    std::string etag;
  };
  Result<ObjectHead> head(const S3Location& object) const;
  Result<uint64_t> head_size(const S3Location& object) const;
  // Without `replace`: `If-None-Match: *`, so an existing object is kept
  // and the request fails with kExists. A server that does not implement
  // conditional writes (OpenStack Swift's s3api, older S3-compatible
  // servers) answers NotImplemented: then a HEAD right before the write
  // refuses an existing object (a narrow race window remains, said in the
  // log once).
  Status put_object(const S3Location& object, std::string_view data, bool replace = true) const;
  // Sent even after a cancel (it is how a cancelled backup cleans up).
  Status delete_object(const S3Location& object) const;
  Status create_bucket(const std::string& bucket) const;
  // Objects under `prefix` (all pages).
  Result<std::vector<S3Object>> list(const std::string& bucket, const std::string& prefix) const;
  Result<std::vector<S3Upload>> list_multipart_uploads(const std::string& bucket) const;

  Result<std::string> create_multipart(const S3Location& object) const;  // the upload id
  // Uploads one part; returns its ETag.
  Result<std::string> upload_part(const S3Location& object, const std::string& upload_id,
                                  int part_number, std::string_view data) const;
  Status complete_multipart(const S3Location& object, const std::string& upload_id,
                            const std::vector<std::string>& etags, bool replace = true) const;
  // Sent even after Ctrl-C (it is the clean-up); an upload that no longer
  // exists (NoSuchUpload) counts as aborted.
  Status abort_multipart(const S3Location& object, const std::string& upload_id) const;

  const S3Options& options() const { return options_; }
  std::string region() const { return region_; }
  std::string endpoint() const { return endpoint_; }

 private:
  KeyValues sse_headers() const;
  // `r` with `If-None-Match: *`, or a HEAD check and `r` where the server
  // has no conditional writes.
  Result<HttpResponse> send_no_replace(const S3Request& r, const S3Location& object) const;

  Credentials credentials_;
  std::string region_;
  std::string endpoint_;
  S3Options options_;
  // Cleared when the server answered a conditional write NotImplemented.
  mutable std::atomic<bool> conditional_writes_{true};
};

}  // namespace pgshuttle::storage
