// S3 error answers turned into Errors people understand. S3 (and s3api)
// answer failures with an XML body such as
//   <Error><Code>NoSuchKey</Code><Message>...</Message></Error>
// Each code a user can cause gets its own ErrorCode (the exit code) and a
// hint; an expired presigned URL says when it expired and how to make a new
// one. Every text passes through redact(), so no signature leaks.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "storage/http_client.h"

namespace pgshuttle::storage {

// The text of the first <tag>...</tag> in `xml`, XML entities decoded; "".
std::string xml_tag(std::string_view xml, std::string_view tag);

// An Error for a non-2xx `response` to `method` on `url` (a presigned URL is
// recognised by its X-Amz-Signature parameter).
Error http_error(const HttpResponse& response, std::string_view method, std::string_view url);

// Adds If-Match with `etag` (the ETag first seen) to a read's headers,
// unless there is none or it is weak (W/"...", which never matches
// If-Match's strong comparison). Used by every ranged read of an object.
void add_if_match(KeyValues& headers, const std::string& etag);

// The answer to a read made with If-Match (the ETag first seen): a 412
// (PreconditionFailed) means the object was replaced since, and becomes
// kArchiveChanged naming `what`; other errors pass unchanged.
Error replaced_while_read(Error e, std::string_view what);

}  // namespace pgshuttle::storage
