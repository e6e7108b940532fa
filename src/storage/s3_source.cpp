#include "storage/s3_source.h"

#include <algorithm>

#include <fmt/format.h>

#include "storage/s3_error.h"

namespace pgshuttle::storage {

Result<uint64_t> S3Source::size() {
  std::lock_guard lock(mu_);
  if (!size_) {
    auto h = client_->head(object_);
    if (!h.ok()) return std::move(h).error().with_context(object_.to_string());
    size_ = h->size;
    etag_ = h->etag;
  }
  return *size_;
}

Result<std::string> S3Source::version() {
  PGS_TRY(size());
  std::lock_guard lock(mu_);
  return etag_;
}

RangeGet S3Source::range_get() {
  std::string etag;
  {
    std::lock_guard lock(mu_);
    etag = etag_;
  }
  // Every range asks for the object first seen (If-Match): one replaced
  // meanwhile is refused by S3 instead of mixing two archives' bytes.
  return [client = client_, object = object_, etag](uint64_t first, uint64_t last,
                                                    const DataSink& sink) -> Status {
    S3Request r{"GET", object.bucket, object.key};
    r.headers = {{"Range", fmt::format("bytes={}-{}", first, last)}};
    add_if_match(r.headers, etag);
    r.on_data = sink;
    r.stream_status = 206;
    auto sent = client->send(std::move(r));
    if (!sent.ok()) return replaced_while_read(std::move(sent).error(), object.to_string());
    HttpResponse& resp = *sent;
    if (resp.status != 206) {
      return Status(
          make_error(ErrorCode::kStorage, "S3 ignored a Range request for " + object.to_string()));
    }
    return ok_status();
  };
}

Result<std::unique_ptr<ByteStream>> S3Source::open_stream(uint64_t offset) {
  PGS_ASSIGN_OR_RETURN(uint64_t total, size());
  return open_resuming_stream(range_get(), total, offset);
}

Result<std::unique_ptr<ByteStream>> S3Source::open_stream_range(uint64_t offset, uint64_t length) {
  PGS_ASSIGN_OR_RETURN(uint64_t total, size());
  return open_resuming_stream(range_get(), std::min(total, offset + length), offset);
}

Result<std::string> S3Source::read_range(uint64_t offset, uint64_t length) {
  PGS_ASSIGN_OR_RETURN(uint64_t total, size());
  return read_range_resuming(range_get(), total, offset, length);
}

}  // namespace pgshuttle::storage
