// libFuzzer target: turning any S3 error answer into an Error. The input is
// a status byte and a body. Whatever the body says, the result must not
// crash and must never show the presigned URL's signature, credential or
// token (they are secrets: redact() must remove them from every field).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/s3_error.h"

namespace {

constexpr std::string_view kSignature = "5e3c1d0a9b8f7e6d5c4b3a291807f6e5d4c3b2a1";
constexpr std::string_view kCredential = "AKIAFUZZSECRET01";
constexpr std::string_view kToken = "FuzzSessionTokenSecret";

bool leaks(const std::string& text) {
  return text.find(kSignature) != std::string::npos ||
         text.find(kCredential) != std::string::npos || text.find(kToken) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const long kStatuses[] = {301, 307, 400, 403, 404, 405, 409, 412, 416, 500, 501, 503};
  pgshuttle::storage::HttpResponse response;
  response.status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  response.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The body may echo the URL or its parts, as some servers do.
  std::string url =
      "https://s3.example.com/bucket/key.dump?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=" +
      std::string(kCredential) +
      "%2F20261202%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261202T000000Z"
      "&X-Amz-Expires=600&X-Amz-Security-Token=" +
      std::string(kToken) + "&X-Amz-Signature=" + std::string(kSignature);
  (void)pgshuttle::storage::xml_tag(response.body, "Code");
  for (std::string_view method : {"GET", "HEAD", "PUT"}) {
    pgshuttle::Error e = pgshuttle::storage::http_error(response, method, url);
    if (leaks(e.message) || leaks(e.hint) || leaks(e.context) || leaks(e.to_string())) std::abort();
  }
  return 0;
}
