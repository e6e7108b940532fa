// S3 error bodies mapped to ErrorCodes with hints, secrets redacted; the
// multipart part-size schedule; the presigned URL expiry bounds.
#include "storage/s3_error.h"

#include <gtest/gtest.h>

#include "storage/s3_multipart_sink.h"
#include "storage/storage.h"

namespace pgshuttle::storage {
namespace {

HttpResponse xml(long status, const std::string& code, const std::string& message,
                 const std::string& extra = "") {
  return {status,
          {},
          "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + message +
              "</Message>" + extra + "</Error>"};
}

const std::string kPresigned =
    "https://b.s3.amazonaws.com/dir/k.dump?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(S3Error, EachCodeHasItsOwnExitCode) {
  struct Case {
    const char* code;
    ErrorCode expect;
  } cases[] = {{"SignatureDoesNotMatch", ErrorCode::kS3SignatureMismatch},
               {"AccessDenied", ErrorCode::kS3AccessDenied},
               {"NoSuchBucket", ErrorCode::kS3NoSuchBucket},
               {"NoSuchKey", ErrorCode::kS3NoSuchKey},
               {"InvalidAccessKeyId", ErrorCode::kS3InvalidAccessKey},
               {"ExpiredToken", ErrorCode::kS3Credentials},
               {"InternalError", ErrorCode::kStorage}};
  for (const auto& c : cases) {
    Error e = http_error(xml(403, c.code, "because"), "GET", "http://h/b/k");
    EXPECT_EQ(e.code, c.expect) << c.code;
    EXPECT_NE(e.message.find("because"), std::string::npos);
  }
}

TEST(S3Error, ExpiredPresignedUrlSaysWhenAndHow) {
  Error e = http_error(
      xml(403, "AccessDenied", "Request has expired", "<Expires>2025-01-01T00:05:00Z</Expires>"),
      "GET", kPresigned);
  EXPECT_EQ(e.code, ErrorCode::kUrlExpired);
  EXPECT_NE(e.message.find("2025-01-01T00:05:00Z"), std::string::npos);
  EXPECT_NE(e.hint.find("pgshuttle url s3://b/dir/k.dump"), std::string::npos);
  // Without <Expires>, the time comes from the URL's own date + expiry.
  Error e2 = http_error(xml(403, "AccessDenied", "Request has expired"), "GET", kPresigned);
  EXPECT_NE(e2.message.find("2025-01-01 00:05:00 UTC"), std::string::npos) << e2.message;
}

TEST(S3Error, MessagesNeverCarrySignatures) {
  Error e = http_error(xml(403, "SignatureDoesNotMatch", "see " + kPresigned), "GET", kPresigned);
  std::string text = e.to_string();
  EXPECT_EQ(text.find("0123456789abcdef0123"), std::string::npos) << text;
  EXPECT_EQ(text.find("AKIAEXAMPLE"), std::string::npos) << text;
  EXPECT_NE(e.hint.find("altered"), std::string::npos);
}

// Found by fuzz/s3_error_fuzz.cpp: a server that echoes the signature or
// the access key id without its parameter name (here in a NotImplemented
// message) got it printed. The URL's secrets are now redacted wherever they
// appear.
TEST(S3Error, EchoedSignatureOrKeyIdWithoutTheirNamesAreRedactedToo) {
  const std::string sig = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
  const std::string url =
      "https://b.s3.amazonaws.com/k.dump?X-Amz-Credential=AKIAECHOED01%2F20250101%2Fus-east-1"
      "%2Fs3%2Faws4_request&X-Amz-Signature=" +
      sig;
  Error e =
      http_error(xml(501, "NotImplemented", "encryption " + sig + " for AKIAECHOED01"), "GET", url);
  std::string text = e.to_string();
  EXPECT_EQ(text.find(sig.substr(0, 24)), std::string::npos) << text;
  EXPECT_EQ(text.find("AKIAECHOED01"), std::string::npos) << text;
}

TEST(S3Error, BodilessHeadAnswers) {
  EXPECT_EQ(http_error({404, {}, ""}, "HEAD", "http://h/b/k").code, ErrorCode::kS3NoSuchKey);
  EXPECT_EQ(http_error({403, {}, ""}, "HEAD", "http://h/b/k").code, ErrorCode::kS3AccessDenied);
  EXPECT_EQ(http_error({503, {}, ""}, "GET", "http://h/b/k").code, ErrorCode::kStorage);
}

TEST(S3Error, RetryableStatuses) {
  for (long s : {500, 502, 503, 504, 429}) EXPECT_TRUE(is_retryable_status(s)) << s;
  for (long s : {400, 401, 403, 404, 409, 416, 501}) EXPECT_FALSE(is_retryable_status(s)) << s;
}

TEST(MultipartSchedule, TenThousandDefaultPartsCoverFiveTebibytes) {
  S3Options defaults;
  uint64_t total = 0;
  for (int part = 1; part <= 10000; ++part) {
    uint64_t size = part_size_for(part, defaults.min_part_size);
    EXPECT_GE(size, 5u << 20);
    EXPECT_LE(size, 5ull << 30);
    total += size;
  }
  EXPECT_GE(total, 5ull << 40);
  EXPECT_EQ(part_size_for(1, 1), 5u << 20);  // never below S3's minimum
}

TEST(PresignLimits, MoreThanSevenDaysIsRefusedBeforeAnythingElse) {
  auto r = presign_get_url("s3://bucket/key", std::chrono::hours(24 * 7 + 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  EXPECT_NE(r.error().message.find("7 days"), std::string::npos);
}

}  // namespace
}  // namespace pgshuttle::storage
