#include "archive/decompressor.h"

#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

namespace pgshuttle::archive {
namespace {

Error codec_error(std::string_view codec, std::string_view what) {
  return make_error(ErrorCode::kArchive,
                    std::string(codec) + " data block is corrupt: " + std::string(what),
                    "the archive is damaged; make a new backup");
}

// Output grows in steps of this much.
constexpr size_t kStep = 64 * 1024;
// A decompression bomb guard: no single feed may expand beyond this.
constexpr size_t kMaxExpansion = size_t{1} << 31;

class PassThrough final : public Decompressor {
 public:
  Status feed(std::string_view input, std::string& output) override {
    output.append(input);
    return ok_status();
  }
  Status finish(std::string&) override { return ok_status(); }
};

class Zlib final : public Decompressor {
 public:
  Zlib() { ok_ = inflateInit2(&z_, 15 + 32) == Z_OK; }  // zlib or gzip header
  ~Zlib() override { inflateEnd(&z_); }
  Status feed(std::string_view input, std::string& output) override {
    if (!ok_) return codec_error("gzip", "cannot initialise zlib");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z_.avail_in = static_cast<uInt>(input.size());
    size_t start = output.size();
    while (z_.avail_in > 0 && !ended_) {
      if (output.size() - start > kMaxExpansion) return codec_error("gzip", "expands too far");
      size_t used = output.size();
      output.resize(used + kStep);
      z_.next_out = reinterpret_cast<Bytef*>(output.data() + used);
      z_.avail_out = static_cast<uInt>(kStep);
      int rc = inflate(&z_, Z_NO_FLUSH);
      output.resize(used + kStep - z_.avail_out);
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return codec_error("gzip", z_.msg ? z_.msg : "inflate failed");
      } else if (rc == Z_BUF_ERROR && z_.avail_out != 0) {
        break;
      }
    }
    return ok_status();
  }
  Status finish(std::string&) override {
    if (!ended_) return codec_error("gzip", "stream ends early");
    return ok_status();
  }

 private:
  z_stream z_{};
  bool ok_ = false;
  bool ended_ = false;
};

class Lz4 final : public Decompressor {
 public:
  Lz4() { ok_ = !LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION)); }
  ~Lz4() override { LZ4F_freeDecompressionContext(ctx_); }
  Status feed(std::string_view input, std::string& output) override {
    if (!ok_) return codec_error("lz4", "cannot initialise lz4");
    size_t start = output.size();
    while (!input.empty()) {
      if (output.size() - start > kMaxExpansion) return codec_error("lz4", "expands too far");
      size_t used = output.size();
      output.resize(used + kStep);
      size_t out_size = kStep, in_size = input.size();
      size_t rc =
          LZ4F_decompress(ctx_, output.data() + used, &out_size, input.data(), &in_size, nullptr);
      output.resize(used + out_size);
      if (LZ4F_isError(rc)) return codec_error("lz4", LZ4F_getErrorName(rc));
      input.remove_prefix(in_size);
      pending_ = rc != 0;
      if (in_size == 0 && out_size == 0) break;
    }
    return ok_status();
  }
  Status finish(std::string&) override {
    if (pending_) return codec_error("lz4", "frame ends early");
    return ok_status();
  }

 private:
  LZ4F_dctx* ctx_ = nullptr;
  bool ok_ = false;
  bool pending_ = false;
};

class Zstd final : public Decompressor {
 public:
  Zstd() : ctx_(ZSTD_createDStream()) {}
  ~Zstd() override { ZSTD_freeDStream(ctx_); }
  Status feed(std::string_view input, std::string& output) override {
    if (ctx_ == nullptr) return codec_error("zstd", "cannot initialise zstd");
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    size_t start = output.size();
    for (;;) {
      if (output.size() - start > kMaxExpansion) return codec_error("zstd", "expands too far");
      size_t used = output.size();
      output.resize(used + kStep);
      ZSTD_outBuffer out{output.data() + used, kStep, 0};
      size_t rc = ZSTD_decompressStream(ctx_, &out, &in);
      output.resize(used + out.pos);
      if (ZSTD_isError(rc)) return codec_error("zstd", ZSTD_getErrorName(rc));
      pending_ = rc != 0;
      if (in.pos == in.size && out.pos < kStep) break;
    }
    return ok_status();
  }
  Status finish(std::string&) override {
    if (pending_) return codec_error("zstd", "frame ends early");
    return ok_status();
  }

 private:
  ZSTD_DStream* ctx_;
  bool pending_ = false;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> Decompressor::create(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return std::unique_ptr<Decompressor>(std::make_unique<PassThrough>());
    case Compression::kGzip:
      return std::unique_ptr<Decompressor>(std::make_unique<Zlib>());
    case Compression::kLz4:
      return std::unique_ptr<Decompressor>(std::make_unique<Lz4>());
    case Compression::kZstd:
      return std::unique_ptr<Decompressor>(std::make_unique<Zstd>());
  }
  return make_error(ErrorCode::kArchive, "unknown compression algorithm");
}

}  // namespace pgshuttle::archive
