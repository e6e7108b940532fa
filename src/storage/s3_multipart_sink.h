// S3MultipartSink: s3://bucket/key written as a streaming multipart upload.
//
// Parts are uploaded concurrently (S3Options::parts_in_flight, default 4);
// memory is bounded by the parts in flight plus the one being filled (plus
// the first part while hold_prefix() keeps it back). Part sizes grow with the
// part number (doubling every 1,000 parts from min_part_size, 8 MiB by
// default), so 10,000 parts cover more than 5 TiB. Objects smaller than one
// part are sent with a single PutObject on commit(). Server-side encryption
// follows S3Options::sse (AES256 by default).
//
// Nothing is visible until commit() completes the upload; abort(), a failed
// part, or destruction without commit() aborts the multipart upload so no
// incomplete upload (and its storage cost) is left behind, also after
// Ctrl-C. For kill -9 the leftover listener learns the upload id as soon as
// the upload starts, so that it can be recorded and aborted later.
//
// Thread safety: one writer thread; part uploads run on internal threads.
#pragma once

#include <deque>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "storage/byte_sink.h"
#include "storage/part_upload_pool.h"
#include "storage/s3_client.h"

namespace pgshuttle::storage {

// The size of part `part_number` (1-based) for a given minimum.
uint64_t part_size_for(int part_number, uint64_t min_part_size);

class S3MultipartSink : public ByteSink {
 public:
  // Without `replace`, the completing request carries `If-None-Match: *`:
  // S3 then refuses (412) to replace an object that appeared meanwhile.
  S3MultipartSink(std::shared_ptr<const S3Client> client, S3Location object, bool replace = true);
  ~S3MultipartSink() override;

  Status write(std::string_view data) override;
  uint64_t bytes_written() const override { return written_; }
  bool seekable() const override { return false; }
  Status overwrite(uint64_t offset, std::string_view data) override;
  bool hold_prefix(uint64_t bytes) override;
  Status commit() override;
  void abort() override;
  std::string describe() const override { return object_.to_string(); }
  void set_leftover_listener(LeftoverListener listener) override {
    listener_ = std::move(listener);
  }

  // The upload id once the multipart upload started ("" before).
  const std::string& upload_id() const { return upload_id_; }

 private:
  struct Part {
    int number;
    std::future<Result<std::string>> etag;
  };
  Status send_current_part();
  Status launch(int number, std::string data);
  Status reap(size_t keep_at_most);
  Status fail(Error e);
  void tell(bool pending) const;

  std::shared_ptr<const S3Client> client_;
  bool replace_ = true;
  S3Location object_;
  std::string upload_id_;
  std::string current_;          // the part being filled
  uint64_t current_offset_ = 0;  // object offset of current_[0]
  int next_part_ = 1;
  uint64_t hold_bytes_ = 0;
  std::string held_first_;                // part 1, kept back until commit()
  std::unique_ptr<PartUploadPool> pool_;  // started with the multipart upload
  std::deque<Part> in_flight_;
  std::vector<std::string> etags_;  // by part number - 1
  uint64_t written_ = 0;
  bool finished_ = false;
  LeftoverListener listener_;
};

}  // namespace pgshuttle::storage
