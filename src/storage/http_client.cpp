#include "storage/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <random>
#include <thread>

#include "core/cancel.h"
#include "core/log.h"
#include "core/redact.h"

namespace pgshuttle::storage {
namespace {

void global_init() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct Transfer {
  CURL* curl = nullptr;
  HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  size_t upload_pos = 0;
  uint64_t delivered = 0;
  bool stopped = false;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) t->response->headers.clear();  // a new (final) response
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    t->response->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * n);
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  bool wanted = t->request->stream_status ? status == t->request->stream_status
                                          : status >= 200 && status < 300;
  if (t->request->on_data && wanted) {
    if (!t->request->on_data(chunk)) {
      t->stopped = true;
      return 0;
    }
    t->delivered += chunk.size();
    return chunk.size();
  }
  t->response->body.append(chunk);
  return chunk.size();
}

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = std::min(size * n, t->request->body.size() - t->upload_pos);
  std::memcpy(buffer, t->request->body.data() + t->upload_pos, len);
  t->upload_pos += len;
  return len;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return cancelled() && !t->request->ignore_cancel ? 1 : 0;
}

// Whether Ctrl-C stops `request`.
bool stopped_by_cancel(const HttpRequest& request) { return cancelled() && !request.ignore_cancel; }

std::chrono::milliseconds backoff(const RetryPolicy& p, int attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  auto cap = std::min<int64_t>(p.max_delay.count(), p.base_delay.count() << std::min(attempt, 16));
  std::uniform_int_distribution<int64_t> dist(cap / 4, cap);
  return std::chrono::milliseconds(dist(rng));
}

std::string strip_query(const std::string& url) { return redact(url.substr(0, url.find('?'))); }

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  Handle() : curl(curl_easy_init()) {}
  ~Handle() { curl_easy_cleanup(curl); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

// How long one try of a clean-up request after Ctrl-C may take.
constexpr long kCleanupSeconds = 30;

bool is_retryable_status(long status) {
  return (status >= 500 && status != 501 && status != 505) || status == 429 || status == 408;
}

HttpClient::HttpClient(RetryPolicy policy) : policy_(policy) {
  global_init();
  handle_ = std::make_unique<Handle>();
}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<HttpResponse> HttpClient::perform(HttpRequest& request) {
  delivered_ = 0;
  // A clean-up request sent after Ctrl-C is bounded (two tries of at most
  // kCleanupSeconds each): the user asked to stop, and what a failed
  // clean-up leaves stays recorded for the next run to finish.
  for (int attempt = 1;; ++attempt) {
    // Looked at before each try: Ctrl-C may come while a clean-up retries.
    const bool after_cancel = request.ignore_cancel && cancelled();
    const int max_tries = after_cancel ? std::min(policy_.max_tries, 2) : policy_.max_tries;
    if (request.before_try) request.before_try(request);
    bool transient = false;
    auto result = perform_once(request, transient, after_cancel);
    bool retry = result.ok() ? is_retryable_status(result->status) : transient;
    if (!retry || attempt >= max_tries || delivered_ > 0 || stopped_by_cancel(request)) {
      return result;
    }
    auto delay = backoff(policy_, attempt);
    std::string what = result.ok() ? fmt::format("{} {}: HTTP {}", request.method,
                                                 strip_query(request.url), result->status)
                                   : result.error().message;
    log::warn("{}; try {} of {} in {} ms", what, attempt + 1, max_tries, delay.count());
    std::this_thread::sleep_for(delay);
  }
}

Result<HttpResponse> HttpClient::perform_once(HttpRequest& request, bool& transient,
                                              bool after_cancel) {
  CURL* c = handle_->curl;
  curl_easy_reset(c);
  HttpResponse response;
  Transfer t{c, &request, &response};
  Slist headers;
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const auto& [k, v] : request.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  headers.reset(list);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  if (after_cancel) curl_easy_setopt(c, CURLOPT_TIMEOUT, kCleanupSeconds);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method == "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  delivered_ += t.delivered;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  if (rc == CURLE_OK) return response;
  if (stopped_by_cancel(request)) return make_error(ErrorCode::kCancelled, "transfer cancelled");
  if (t.stopped) return make_error(ErrorCode::kStorage, "transfer stopped by the receiver");
  transient = true;
  return make_error(ErrorCode::kStorage,
                    fmt::format("{} {} failed: {}", request.method, strip_query(request.url),
                                curl_easy_strerror(rc)),
                    "check the network and the endpoint; the request was retried");
}

HttpClient& thread_client(int max_tries) {
  static thread_local HttpClient client;
  static thread_local int tries = 0;
  if (tries != max_tries) {
    client = HttpClient(RetryPolicy{max_tries});
    tries = max_tries;
  }
  return client;
}

}  // namespace pgshuttle::storage
