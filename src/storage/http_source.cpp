#include "storage/http_source.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/parse_number.h"
#include "core/redact.h"
#include "storage/http_client.h"
#include "storage/s3_error.h"

namespace pgshuttle::storage {
Result<uint64_t> HttpSource::size() {
  std::lock_guard lock(mu_);
  if (size_) return *size_;
  HttpRequest req;
  req.url = url_;
  req.headers = {{"Range", "bytes=0-0"}};
  PGS_ASSIGN_OR_RETURN(HttpResponse resp, thread_client(max_tries_).perform(req));
  if (resp.status == 416) {
    size_ = 0;  // an empty object has no byte 0
    return *size_;
  }
  if (!resp.ok()) return http_error(resp, "GET", url_);
  etag_ = resp.header("etag");
  std::string range = resp.header("content-range");  // "bytes 0-0/12345"
  size_t slash = range.rfind('/');
  if (resp.status == 206 && slash != std::string::npos && range.substr(slash + 1) != "*") {
    auto total = parse_u64(std::string_view(range).substr(slash + 1));
    if (!total) {
      return make_error(ErrorCode::kStorage,
                        fmt::format("{} answered with a malformed Content-Range header \"{}\"",
                                    describe(), range.substr(0, 100)),
                        "the server or a proxy in between is not a plain HTTP server; download "
                        "the archive and restore the local file");
    }
    size_ = *total;
  } else if (resp.status == 200) {
    size_ = resp.body.size();  // the server ignored Range and sent it all
  } else {
    return make_error(ErrorCode::kStorage, "the server did not report the size of " + describe(),
                      "pgshuttle needs a server that supports HTTP Range requests");
  }
  return *size_;
}

Result<std::string> HttpSource::version() {
  PGS_TRY(size());
  std::lock_guard lock(mu_);
  return etag_;
}

RangeGet HttpSource::range_get() {
  std::string etag;
  {
    std::lock_guard lock(mu_);
    etag = etag_;
  }
  // If-Match the ETag first seen: see S3Source::range_get.
  return [url = url_, tries = max_tries_, etag](uint64_t first, uint64_t last,
                                                const DataSink& sink) -> Status {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Range", fmt::format("bytes={}-{}", first, last)}};
    add_if_match(req.headers, etag);
    req.on_data = sink;
    req.stream_status = 206;
    PGS_ASSIGN_OR_RETURN(HttpResponse resp, thread_client(tries).perform(req));
    if (resp.status != 206) {
      if (resp.ok()) {
        return Status(make_error(ErrorCode::kStorage, "the server ignored a Range request",
                                 "pgshuttle needs a server that supports HTTP Range requests"));
      }
      return Status(
          replaced_while_read(http_error(resp, "GET", url), redact(url.substr(0, url.find('?')))));
    }
    return ok_status();
  };
}

Result<std::unique_ptr<ByteStream>> HttpSource::open_stream(uint64_t offset) {
  PGS_ASSIGN_OR_RETURN(uint64_t total, size());
  return open_resuming_stream(range_get(), total, offset);
}

Result<std::unique_ptr<ByteStream>> HttpSource::open_stream_range(uint64_t offset,
                                                                  uint64_t length) {
  PGS_ASSIGN_OR_RETURN(uint64_t total, size());
  return open_resuming_stream(range_get(), std::min(total, offset + length), offset);
}

Result<std::string> HttpSource::read_range(uint64_t offset, uint64_t length) {
  PGS_ASSIGN_OR_RETURN(uint64_t total, size());
  return read_range_resuming(range_get(), total, offset, length);
}

std::string HttpSource::describe() const { return redact(url_); }

}  // namespace pgshuttle::storage
