#include "core/error.h"

namespace pgshuttle {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUsage:
      return "usage";
    case ErrorCode::kSource:
      return "source";
    case ErrorCode::kTarget:
      return "target";
    case ErrorCode::kStorage:
      return "storage";
    case ErrorCode::kVerifyFailed:
      return "verify-failed";
    case ErrorCode::kArchive:
      return "archive";
    case ErrorCode::kBlocked:
      return "blocked";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kAuth:
      return "auth";
    case ErrorCode::kDiskFull:
      return "disk-full";
    case ErrorCode::kWarnings:
      return "warnings";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kExists:
      return "exists";
    case ErrorCode::kArchiveChanged:
      return "archive-changed";
    case ErrorCode::kUrlExpired:
      return "url-expired";
    case ErrorCode::kS3AccessDenied:
      return "s3-access-denied";
    case ErrorCode::kS3SignatureMismatch:
      return "s3-signature-mismatch";
    case ErrorCode::kS3NoSuchBucket:
      return "s3-no-such-bucket";
    case ErrorCode::kS3NoSuchKey:
      return "s3-no-such-key";
    case ErrorCode::kS3InvalidAccessKey:
      return "s3-invalid-access-key";
    case ErrorCode::kS3Credentials:
      return "s3-credentials";
    case ErrorCode::kTargetNotEmpty:
      return "target-not-empty";
    case ErrorCode::kMissingExtension:
      return "missing-extension";
    case ErrorCode::kVersionMismatch:
      return "version-mismatch";
    case ErrorCode::kRowSecurity:
      return "row-security";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out = context.empty() ? message : context + ": " + message;
  if (!sqlstate.empty()) out += " (SQLSTATE " + sqlstate + ")";
  if (!hint.empty()) out += "\nhint: " + hint;
  return out;
}

Error Error::with_context(std::string_view outer) const {
  Error e = *this;
  e.context = context.empty() ? std::string(outer) : std::string(outer) + ": " + context;
  return e;
}

}  // namespace pgshuttle
