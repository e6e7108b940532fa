#include "restore/stream_filters.h"

#include <zlib.h>

namespace pgshuttle::restore {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

GzipInflater::GzipInflater() : z_(std::make_unique<z_stream_s>()) {
  // 16 + MAX_WBITS: expect a gzip header.
  inflateInit2(z_.get(), 16 + MAX_WBITS);
}

GzipInflater::~GzipInflater() { inflateEnd(z_.get()); }

Result<std::string> GzipInflater::feed(std::string_view in) {
  std::string out;
  if (finished_) {
    // Bytes after a member: zero padding is ignored (as gzip does); anything
    // else must be the next member of a concatenated file (gzip -c >>).
    if (in.find_first_not_of('\0') == std::string_view::npos) return out;
    inflateReset(z_.get());
    finished_ = false;
  }
  z_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z_->avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  while (z_->avail_in > 0 && !finished_) {
    z_->next_out = reinterpret_cast<Bytef*>(buf);
    z_->avail_out = sizeof buf;
    int rc = inflate(z_.get(), Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return make_error(ErrorCode::kArchive,
                        std::string("corrupt gzip data: ") + (z_->msg ? z_->msg : "inflate failed"),
                        "check the file; `gzip -t FILE` tests it");
    }
    out.append(buf, sizeof buf - z_->avail_out);
    if (rc == Z_BUF_ERROR) break;
    if (rc == Z_STREAM_END) {
      finished_ = true;
      std::string_view rest(reinterpret_cast<const char*>(z_->next_in), z_->avail_in);
      if (rest.find_first_not_of('\0') == std::string_view::npos) break;
      inflateReset(z_.get());  // the next member
      finished_ = false;
    }
  }
  return out;
}

bool PlainSqlFilter::keep(std::string_view line) {
  if (in_copy_) {
    if (line == "\\.") in_copy_ = false;
    return true;
  }
  if (starts_with(line, "COPY ") && line.find("FROM stdin;") != std::string_view::npos) {
    in_copy_ = true;
    return true;
  }
  bool owner = starts_with(line, "ALTER ") && line.find(" OWNER TO ") != std::string_view::npos;
  bool acl = starts_with(line, "GRANT ") || starts_with(line, "REVOKE ");
  if ((owner && !keep_owner_) || (acl && !keep_acl_)) {
    ++dropped_;
    return false;
  }
  return true;
}

std::string PlainSqlFilter::feed(std::string_view in) {
  std::string out;
  partial_.append(in);
  size_t start = 0;
  for (;;) {
    size_t nl = partial_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(partial_.data() + start, nl - start);
    if (keep(line)) out.append(partial_, start, nl - start + 1);
    start = nl + 1;
  }
  partial_.erase(0, start);
  return out;
}

std::string PlainSqlFilter::finish() {
  std::string rest = std::move(partial_);
  partial_.clear();
  if (!rest.empty() && !keep(rest)) return {};
  return rest;
}

}  // namespace pgshuttle::restore
