#include "core/redact.h"

#include <gtest/gtest.h>

namespace pgshuttle {
namespace {

TEST(Redact, HidesPasswordInUri) {
  EXPECT_EQ(redact("postgresql://bob:s3cr3t@db:5432/x"), "postgresql://bob:***@db:5432/x");
  EXPECT_EQ(redact("connect postgres://u:p%40ss@h/d failed"),
            "connect postgres://u:***@h/d failed");
}

TEST(Redact, KeepsUriWithoutPassword) {
  EXPECT_EQ(redact("postgresql://bob@db/x"), "postgresql://bob@db/x");
  EXPECT_EQ(redact("http://127.0.0.1:9000/bucket/key"), "http://127.0.0.1:9000/bucket/key");
}

TEST(Redact, HidesPasswordKeyword) {
  EXPECT_EQ(redact("host=x password=abc user=u"), "host=x password=*** user=u");
  EXPECT_EQ(redact("host=x password='a b\\'c' user=u"), "host=x password=*** user=u");
}

TEST(Redact, HidesPresignedUrlSecrets) {
  std::string url =
      "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2013"
      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
      "&X-Amz-Security-Token=tok123&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835";
  std::string r = redact(url);
  EXPECT_EQ(r.find("AKIA"), std::string::npos);
  EXPECT_EQ(r.find("tok123"), std::string::npos);
  EXPECT_EQ(r.find("aeeed9bb"), std::string::npos);
  EXPECT_NE(r.find("X-Amz-Date=20130524T000000Z"), std::string::npos);
  EXPECT_NE(r.find("X-Amz-Signature=***"), std::string::npos);
}

// argv is overwritten in place, so masking keeps every byte where it was and
// hides exactly what redact() hides.
TEST(MaskSecrets, KeepsLengthAndHidesWhatRedactHides) {
  EXPECT_EQ(mask_secrets("postgresql://bob:s3cr3t@db:5432/x"), "postgresql://bob:******@db:5432/x");
  EXPECT_EQ(mask_secrets("host=x password='a b' user=u"), "host=x password=***** user=u");
  EXPECT_EQ(mask_secrets("postgresql://bob@db/x"), "postgresql://bob@db/x");
  EXPECT_EQ(mask_secrets("--jobs"), "--jobs");
  std::string url =
      "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2013"
      "&X-Amz-Date=20130524T000000Z&X-Amz-Security-Token=tok123"
      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835";
  std::string m = mask_secrets(url);
  EXPECT_EQ(m.size(), url.size());
  EXPECT_EQ(m.find("AKIA"), std::string::npos);
  EXPECT_EQ(m.find("tok123"), std::string::npos);
  EXPECT_EQ(m.find("aeeed9bb"), std::string::npos);
  EXPECT_NE(m.find("X-Amz-Date=20130524T000000Z&"), std::string::npos);
  EXPECT_NE(m.find("X-Amz-Signature=********"), std::string::npos);
}

TEST(Redact, HidesAuthorizationHeader) {
  std::string h =
      "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, "
      "SignedHeaders=host;x-amz-date, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  std::string r = redact(h);
  EXPECT_EQ(r.find("AKID"), std::string::npos);
  EXPECT_EQ(r.find("5fa00fa3"), std::string::npos);
}

TEST(Redact, HidesRegisteredSecretsAnywhere) {
  register_secret("Tr0ub4dor&3");
  EXPECT_EQ(redact("the password is Tr0ub4dor&3."), "the password is ***.");
  register_secret("ab");  // too short to register: would mangle text
  EXPECT_EQ(redact("abc"), "abc");
}

}  // namespace
}  // namespace pgshuttle
