#include "storage/s3_multipart_sink.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/cancel.h"
#include "core/log.h"

namespace pgshuttle::storage {
namespace {

constexpr uint64_t kMinS3Part = 5ull << 20;  // S3's lower bound (but for the last part)
constexpr uint64_t kMaxS3Part = 5ull << 30;
constexpr int kMaxParts = 10000;

}  // namespace

uint64_t part_size_for(int part_number, uint64_t min_part_size) {
  uint64_t base = std::max(min_part_size, kMinS3Part);
  int doublings = std::min((part_number - 1) / 1000, 20);
  return std::min(base << doublings, kMaxS3Part);
}

S3MultipartSink::S3MultipartSink(std::shared_ptr<const S3Client> client, S3Location object,
                                 bool replace)
    : client_(std::move(client)), replace_(replace), object_(std::move(object)) {}

S3MultipartSink::~S3MultipartSink() {
  if (!finished_) abort();
}

bool S3MultipartSink::hold_prefix(uint64_t bytes) {
  if (written_ > 0 || bytes > kMaxS3Part) return false;
  hold_bytes_ = bytes;
  return true;
}

Status S3MultipartSink::write(std::string_view data) {
  if (finished_) return make_error(ErrorCode::kInternal, "write after commit/abort: " + describe());
  while (!data.empty()) {
    if (cancelled()) return fail(make_error(ErrorCode::kCancelled, "upload cancelled"));
    uint64_t target = part_size_for(next_part_, client_->options().min_part_size);
    if (next_part_ == 1) target = std::max(target, hold_bytes_);
    size_t take = static_cast<size_t>(std::min<uint64_t>(target - current_.size(), data.size()));
    if (current_.capacity() < target) current_.reserve(target);
    current_.append(data.substr(0, take));
    data.remove_prefix(take);
    written_ += take;
    if (current_.size() == target) PGS_TRY(send_current_part());
  }
  return ok_status();
}

Status S3MultipartSink::overwrite(uint64_t offset, std::string_view data) {
  uint64_t end = offset + data.size();
  if (!held_first_.empty() && end <= held_first_.size()) {
    std::copy(data.begin(), data.end(), held_first_.begin() + static_cast<long>(offset));
    return ok_status();
  }
  if (offset >= current_offset_ && end <= current_offset_ + current_.size()) {
    std::copy(data.begin(), data.end(),
              current_.begin() + static_cast<long>(offset - current_offset_));
    return ok_status();
  }
  return make_error(ErrorCode::kInternal,
                    "cannot overwrite bytes already uploaded to " + describe(),
                    "call hold_prefix() before writing to keep them back");
}

Status S3MultipartSink::send_current_part() {
  if (next_part_ > kMaxParts) {
    return fail(make_error(ErrorCode::kStorage, "the object exceeds S3's 10,000 parts"));
  }
  if (upload_id_.empty()) {
    auto id = client_->create_multipart(object_);
    if (!id.ok()) return fail(std::move(id).error().with_context(describe()));
    upload_id_ = *id;
    log::debug("multipart upload started for {}", describe());
    tell(true);
  }
  int number = next_part_++;
  uint64_t size = current_.size();
  std::string data;
  data.swap(current_);
  current_offset_ += size;
  if (number == 1 && hold_bytes_ > 0) {
    held_first_ = std::move(data);
    etags_.emplace_back();
    return ok_status();
  }
  return launch(number, std::move(data));
}

Status S3MultipartSink::launch(int number, std::string data) {
  PGS_TRY(reap(static_cast<size_t>(std::max(1, client_->options().parts_in_flight)) - 1));
  if (etags_.size() < static_cast<size_t>(number)) etags_.resize(static_cast<size_t>(number));
  if (!pool_) pool_ = std::make_unique<PartUploadPool>(client_->options().parts_in_flight);
  auto shared = std::make_shared<std::string>(std::move(data));
  auto fut = pool_->submit([client = client_, object = object_, id = upload_id_, number, shared] {
    return client->upload_part(object, id, number, *shared);
  });
  in_flight_.push_back({number, std::move(fut)});
  return ok_status();
}

Status S3MultipartSink::reap(size_t keep_at_most) {
  while (in_flight_.size() > keep_at_most) {
    Part part = std::move(in_flight_.front());
    in_flight_.pop_front();
    auto etag = part.etag.get();
    if (!etag.ok()) {
      return fail(std::move(etag).error().with_context(describe() + " part " +
                                                       std::to_string(part.number)));
    }
    etags_[static_cast<size_t>(part.number - 1)] = *etag;
  }
  return ok_status();
}

Status S3MultipartSink::fail(Error e) {
  abort();
  return e;
}

Status S3MultipartSink::commit() {
  if (finished_) return make_error(ErrorCode::kInternal, "commit after abort: " + describe());
  if (upload_id_.empty()) {  // small object: one PutObject
    std::string all = held_first_ + current_;
    Status s = client_->put_object(object_, all, replace_);
    finished_ = true;
    if (!s.ok()) return s.error().with_context(describe());
    return ok_status();
  }
  if (!current_.empty()) {
    int number = next_part_++;
    PGS_TRY(launch(number, std::move(current_)));
  }
  if (!held_first_.empty()) PGS_TRY(launch(1, std::move(held_first_)));
  PGS_TRY(reap(0));
  pool_.reset();
  Status s = client_->complete_multipart(object_, upload_id_, etags_, replace_);
  if (!s.ok()) return fail(s.error().with_context(describe()));
  finished_ = true;
  tell(false);
  return ok_status();
}

void S3MultipartSink::tell(bool pending) const {
  if (listener_) listener_({describe(), upload_id_}, pending);
}

void S3MultipartSink::abort() {
  if (finished_) return;
  finished_ = true;
  for (auto& part : in_flight_) part.etag.wait();
  in_flight_.clear();
  pool_.reset();
  if (upload_id_.empty()) return;
  // A part whose upload was cut short may still be landing on the server
  // while the abort runs (S3's documentation says an abort may have to be
  // repeated for that reason; the test S3 then answers NoSuchKey): a few
  // tries, a moment apart.
  Status s = ok_status();
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
    s = client_->abort_multipart(object_, upload_id_);
    if (s.ok()) {
      tell(false);
      return;
    }
    ErrorCode c = s.error().code;
    if (c != ErrorCode::kS3NoSuchKey && c != ErrorCode::kStorage) break;  // 403 and the like
  }
  log::warn(
      "could not abort the multipart upload of {} ({}); it keeps costing storage until "
      "aborted: {}",
      describe(), s.error().to_string(),
      listener_ ? "the next backup to S3 does it, or pgshuttle storage uploads s3://" +
                      object_.bucket + " --abort-stale"
                : "aws s3api abort-multipart-upload");
}

}  // namespace pgshuttle::storage
