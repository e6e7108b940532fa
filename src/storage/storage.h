// The storage layer's front door: open a ByteSource or ByteSink by location,
// and make presigned URLs. Callers (backup, restore, the CLI) need nothing
// else from this module.
//
//   location            source                      sink
//   /path, ./rel, file  FileSource                  FileSink (temp file + rename)
//   -                   (none)                      StdoutSink
//   http(s)://...       HttpSource (Range, resume)  (none: kUsage)
//   s3://bucket/key     S3Source (signed)           S3MultipartSink
//
// Errors carry the ErrorCodes of core/error.h (kS3NoSuchKey, kUrlExpired,
// kS3Credentials, ...) with a hint; every text is redacted.
//
// Thread safety: the functions are safe from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/byte_sink.h"
#include "storage/byte_source.h"
#include "storage/credentials.h"

namespace pgshuttle::storage {

// Opens a source by scheme. S3 credentials are only looked up for s3://.
Result<std::unique_ptr<ByteSource>> open_source(std::string_view location,
                                                const S3Options& options = {});

// Whether a sink may replace an object or file that already exists.
enum class Existing { kRefuse, kReplace };

// Opens a sink by scheme ("-" is stdout). Nothing is visible at `location`
// until commit(); destroying the sink without commit() removes every trace.
// With Existing::kRefuse an existing file or object is an error (kExists),
// both when the sink opens (before any work) and atomically at commit (a
// no-replace rename; S3's `If-None-Match: *` where the server honours it).
Result<std::unique_ptr<ByteSink>> open_sink(std::string_view location,
                                            const S3Options& options = {},
                                            Existing existing = Existing::kReplace);

class S3Client;
struct S3Location;
// A location as the transfer registry records it: a local path absolute
// and normalised (so that a restore from another directory finds its
// backup's record), any other location unchanged.
std::string recorded_location(std::string_view location);

// Tries what writing to s3://bucket/key will need before any work starts:
// the bucket, the credentials, the right to write and the server-side
// encryption asked for (S3Options::sse) — by starting a multipart upload and
// aborting it at once. Nothing is left behind; other locations: no-op.
Status probe_upload(std::string_view location, const S3Options& options);

// kExists naming `what` (a path or s3:// URL), with the --force hint.
Error destination_exists(const std::string& what);
// kExists when `object` exists; other errors as HEAD reports them.
Status refuse_existing_object(const S3Client& client, const S3Location& object);

inline constexpr std::chrono::seconds kDefaultUrlExpiry{5 * 60};
inline constexpr std::chrono::seconds kMaxUrlExpiry{7 * 24 * 3600};

// A presigned GET URL for "s3://bucket/key", valid for `expires` (at most
// 7 days: kUsage beyond). Does not contact S3.
Result<std::string> presign_get_url(std::string_view s3_url, std::chrono::seconds expires,
                                    const S3Options& options = {});

}  // namespace pgshuttle::storage
