// Error: what went wrong, why, and what the user can do about it.
//
// Library code never prints errors; it returns an Error inside a Result<T>
// (see result.h). The CLI prints each error exactly once and turns its
// ErrorCode into the process exit code. Exit codes are part of the user
// interface and documented in README.md: never renumber one.
//
// Thread safety: plain value type.
#pragma once

#include <string>
#include <string_view>

namespace pgshuttle {

// One value per cause a script may want to tell apart. The numeric value is
// the exit code.
enum class ErrorCode : int {
  kOk = 0,
  kInternal = 1,         // a bug or an unexpected condition
  kUsage = 2,            // bad command line, bad URL, bad option value
  kSource = 3,           // the source database failed (connect, query, pg_dump)
  kTarget = 4,           // the target database failed (connect, DDL, COPY)
  kStorage = 5,          // file / HTTP / S3 I/O failed (network, server error)
  kVerifyFailed = 6,     // verify found differences
  kArchive = 7,          // archive truncated, corrupt or unsupported
  kBlocked = 8,          // a precondition failed: check/preflight blocker
  kCancelled = 9,        // Ctrl-C or `pgshuttle cancel`
  kAuth = 10,            // wrong password / authentication refused
  kDiskFull = 11,        // no space left: a local device, or a server's (SQLSTATE 53100)
  kWarnings = 12,        // finished, but with warnings the user must read
  kNotFound = 13,        // a transfer id, file or database (3D000) that does not exist
  kExists = 14,          // the destination exists and would be overwritten (--force)
  kArchiveChanged = 15,  // the archive is not the one its backup recorded (size, SHA-256)
  kUrlExpired = 20,      // presigned URL past its expiry
  kS3AccessDenied = 21,  // AccessDenied / 403 without a more precise cause
  kS3SignatureMismatch = 22,
  kS3NoSuchBucket = 23,
  kS3NoSuchKey = 24,
  kS3InvalidAccessKey = 25,
  kS3Credentials = 26,     // no credentials found in the chain
  kTargetNotEmpty = 30,    // destructive guard refused
  kMissingExtension = 31,  // target cannot install an extension the source uses
  kVersionMismatch = 32,   // pg_dump/pg_restore/server versions incompatible
  kRowSecurity = 33,       // row-level security would hide rows from the reading role
};

// Short stable name for logs, JSON and the registry ("source", "s3-no-such-key").
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;   // what happened, one sentence, no trailing period needed
  std::string hint;      // what to do about it; may be empty
  std::string sqlstate;  // PostgreSQL SQLSTATE when the cause is a server error
  std::string context;   // where: "table public.orders", "byte offset 4096", ...
  // Set by the PostgreSQL layer when the session itself is gone: the
  // connection broke, or a new one was refused while the server is down,
  // starting up or shutting down. A new session may cure it; retry rules
  // (exec/retry.h) read this flag, never an empty SQLSTATE or message text.
  bool connection_lost = false;

  // "context: message" followed by "hint: ..." on its own line when present.
  std::string to_string() const;

  // Returns a copy whose context is "outer: inner".
  Error with_context(std::string_view outer) const;
};

}  // namespace pgshuttle
