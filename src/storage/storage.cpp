#include "storage/storage.h"

#include <filesystem>

#include "core/fault.h"
#include "core/human.h"
#include "storage/file_sink.h"
#include "storage/file_source.h"
#include "storage/http_source.h"
#include "storage/s3_client.h"
#include "storage/s3_multipart_sink.h"
#include "storage/s3_source.h"

namespace pgshuttle::storage {
namespace {

std::string file_path(std::string_view location) {
  constexpr std::string_view kFile = "file://";
  if (location.substr(0, kFile.size()) == kFile) location.remove_prefix(kFile.size());
  return std::string(location);
}

Result<S3Location> object_location(std::string_view url) {
  PGS_ASSIGN_OR_RETURN(S3Location loc, S3Location::parse(url));
  if (loc.key.empty() || loc.key.back() == '/') {
    return make_error(ErrorCode::kUsage, "'" + std::string(url) + "' names no object",
                      "add the object key: s3://bucket/path/to/file");
  }
  return loc;
}

Error exists_error(const std::string& what) {
  return make_error(ErrorCode::kExists, what + " already exists; nothing was written",
                    "choose another name, or pass --force to replace it (a backup id that "
                    "recorded it then no longer restores)");
}

}  // namespace

Error destination_exists(const std::string& what) { return exists_error(what); }

Status refuse_existing_object(const S3Client& client, const S3Location& object) {
  auto size = client.head_size(object);
  if (size.ok()) return exists_error(object.to_string());
  if (size.error().code == ErrorCode::kS3NoSuchKey) return ok_status();
  return std::move(size).error().with_context("checking whether " + object.to_string() + " exists");
}

std::string recorded_location(std::string_view location) {
  if (location == "-" || location.find("://") != std::string_view::npos) {
    return std::string(location);
  }
  std::error_code ec;
  auto path = std::filesystem::absolute(std::string(location), ec);
  return ec ? std::string(location) : path.lexically_normal().string();
}

Status probe_upload(std::string_view location, const S3Options& options) {
  if (!is_s3_url(location)) return ok_status();
  PGS_ASSIGN_OR_RETURN(S3Location loc, object_location(location));
  PGS_ASSIGN_OR_RETURN(auto client, S3Client::create(options));
  PGS_ASSIGN_OR_RETURN(std::string upload, client->create_multipart(loc));
  fault::hit("s3:probe-created");  // an upload exists whose id nothing recorded
  return client->abort_multipart(loc, upload);
}

Result<std::unique_ptr<ByteSource>> open_source(std::string_view location,
                                                const S3Options& options) {
  if (is_s3_url(location)) {
    PGS_ASSIGN_OR_RETURN(S3Location loc, object_location(location));
    PGS_ASSIGN_OR_RETURN(auto client, S3Client::create(options));
    return std::unique_ptr<ByteSource>(std::make_unique<S3Source>(client, loc));
  }
  if (is_http_url(location)) {
    return std::unique_ptr<ByteSource>(
        std::make_unique<HttpSource>(std::string(location), options.max_tries));
  }
  PGS_ASSIGN_OR_RETURN(auto file, FileSource::open(file_path(location)));
  return std::unique_ptr<ByteSource>(std::move(file));
}

Result<std::unique_ptr<ByteSink>> open_sink(std::string_view location, const S3Options& options,
                                            Existing existing) {
  bool replace = existing == Existing::kReplace;
  if (location == "-") return std::unique_ptr<ByteSink>(std::make_unique<StdoutSink>());
  if (is_s3_url(location)) {
    PGS_ASSIGN_OR_RETURN(S3Location loc, object_location(location));
    PGS_ASSIGN_OR_RETURN(auto client, S3Client::create(options));
    if (!replace) PGS_TRY(refuse_existing_object(*client, loc));
    return std::unique_ptr<ByteSink>(std::make_unique<S3MultipartSink>(client, loc, replace));
  }
  if (is_http_url(location)) {
    return make_error(ErrorCode::kUsage, "cannot write to an http(s) URL",
                      "write to s3://bucket/key or a local file");
  }
  PGS_ASSIGN_OR_RETURN(auto file, FileSink::create(file_path(location), replace));
  return std::unique_ptr<ByteSink>(std::move(file));
}

Result<std::string> presign_get_url(std::string_view s3_url, std::chrono::seconds expires,
                                    const S3Options& options) {
  if (expires.count() <= 0 || expires > kMaxUrlExpiry) {
    return make_error(
        ErrorCode::kUsage,
        "a presigned URL can be valid for 1 second to 7 days, not " + human_duration(expires),
        "choose a shorter --expires (e.g. 5m, 1h, 7d); S3 refuses longer ones");
  }
  PGS_ASSIGN_OR_RETURN(S3Location loc, object_location(s3_url));
  PGS_ASSIGN_OR_RETURN(auto client, S3Client::create(options));
  return client->presign(loc, expires);
}

}  // namespace pgshuttle::storage
