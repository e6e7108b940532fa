// HttpClient: one libcurl easy handle (a move-only RAII wrapper), which
// keeps its connection alive between requests, plus the retry policy:
// exponential backoff with full jitter on connection errors, 5xx and 429
// (S3's 503 SlowDown included), a bounded number of tries, and no retry on
// any other 4xx. Non-2xx answers are returned as responses, not errors:
// s3_error.h turns them into Errors people understand.
//
// A streaming request (on_data set) is retried only while no byte has been
// delivered; resuming a half-read body is the caller's job (HttpSource does
// it with a Range request).
//
// Thread safety: one HttpClient per thread. Ctrl-C (core/cancel.h) aborts
// the transfer in progress with kCancelled, except a clean-up request
// (HttpRequest::ignore_cancel), which after Ctrl-C gets two short tries
// instead of the policy's: stopping must not wait on a stalled server.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/sigv4.h"

namespace pgshuttle::storage {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  KeyValues headers;
  std::string_view body;  // sent with PUT/POST; must outlive perform()
  // Receives the body of a 2xx response as it arrives (the response body is
  // then left empty); returns false to stop the transfer.
  std::function<bool(std::string_view)> on_data;
  // When set, only a response with this status goes to on_data (a 200 to a
  // Range request, for instance, lands in the response body instead).
  long stream_status = 0;
  // Re-creates headers before each try (e.g. a fresh SigV4 signature).
  std::function<void(HttpRequest&)> before_try;
  // A clean-up request (aborting a multipart upload) that must still be
  // sent after Ctrl-C: the cancel flag neither stops nor refuses it.
  bool ignore_cancel = false;
};

struct HttpResponse {
  long status = 0;
  KeyValues headers;  // names lowercased
  std::string body;
  // The first header named `name` (lowercase), or "".
  std::string header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

struct RetryPolicy {
  int max_tries = 5;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10000};
};

class HttpClient {
 public:
  explicit HttpClient(RetryPolicy policy = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends `request`, retrying transient failures. An error means no usable
  // HTTP response (connection failure after all tries, cancellation);
  // ErrorCode kStorage, with the URL redacted in the message.
  Result<HttpResponse> perform(HttpRequest& request);

  // Bytes delivered to on_data by the last perform() (for resuming).
  uint64_t delivered() const { return delivered_; }

 private:
  struct Handle;
  Result<HttpResponse> perform_once(HttpRequest& request, bool& transient, bool after_cancel);

  RetryPolicy policy_;
  std::unique_ptr<Handle> handle_;
  uint64_t delivered_ = 0;
};

// Whether a response status deserves another try.
bool is_retryable_status(long status);

// This thread's client (its connections are reused between requests),
// rebuilt when `max_tries` changes.
HttpClient& thread_client(int max_tries);

}  // namespace pgshuttle::storage
