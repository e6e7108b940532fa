// The credentials chain, region and endpoint resolution, and S3 locations.
#include "storage/credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/redact.h"
#include "storage/s3_location.h"

namespace pgshuttle::storage {
namespace {

// Runs each test with a clean AWS environment and a private HOME.
class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* k : kVars) ::unsetenv(k);
    home_ = std::filesystem::path(::testing::TempDir()) / ("home" + std::to_string(::getpid()));
    std::filesystem::create_directories(home_ / ".aws");
    ::setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  void write(const char* name, const std::string& text) {
    std::ofstream(home_ / ".aws" / name) << text;
  }
  static constexpr const char* kVars[] = {
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",      "AWS_SESSION_TOKEN",   "AWS_PROFILE",
      "AWS_REGION",        "AWS_DEFAULT_REGION",         "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",
      "AWS_CONFIG_FILE",   "AWS_SHARED_CREDENTIALS_FILE"};
  std::filesystem::path home_;
};

TEST_F(CredentialsTest, NothingFoundIsACredentialsError) {
  auto c = load_credentials({});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kS3Credentials);
  EXPECT_NE(c.error().hint.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST_F(CredentialsTest, EnvironmentWinsAndSecretsAreRedacted) {
  write("credentials",
        "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret-value", 1);
  ::setenv("AWS_SESSION_TOKEN", "envtoken-value", 1);
  auto c = load_credentials({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ENVKEY");
  EXPECT_EQ(c->session_token, "envtoken-value");
  EXPECT_EQ(redact("secret envsecret-value token envtoken-value"), "secret *** token ***");
}

TEST_F(CredentialsTest, ProfileFromFilesAndRegionFromConfig) {
  write("credentials",
        "[default]\naws_access_key_id=D\naws_secret_access_key=dsecret\n"
        "[work]\naws_access_key_id = WORK\naws_secret_access_key = worksecret\n"
        "aws_session_token = worktoken\n");
  write("config", "[default]\nregion = eu-west-1\n[profile work]\nregion = ap-south-2\n");
  ::setenv("AWS_PROFILE", "work", 1);
  auto c = load_credentials({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "WORK");
  EXPECT_EQ(c->secret_access_key, "worksecret");
  EXPECT_EQ(c->session_token, "worktoken");
  EXPECT_EQ(resolve_region({}), "ap-south-2");
  ::setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
  EXPECT_EQ(resolve_region({}), "us-west-2");
  ::setenv("AWS_REGION", "ca-central-1", 1);
  EXPECT_EQ(resolve_region({}), "ca-central-1");
  S3Options explicit_region;
  explicit_region.region = "sa-east-1";
  EXPECT_EQ(resolve_region(explicit_region), "sa-east-1");
}

TEST_F(CredentialsTest, EndpointOrder) {
  EXPECT_EQ(resolve_endpoint({}), "");
  ::setenv("AWS_ENDPOINT_URL", "http://general:1/", 1);
  EXPECT_EQ(resolve_endpoint({}), "http://general:1");
  ::setenv("AWS_ENDPOINT_URL_S3", "http://s3only:2", 1);
  EXPECT_EQ(resolve_endpoint({}), "http://s3only:2");
  S3Options o;
  o.endpoint = "http://flag:3";
  EXPECT_EQ(resolve_endpoint(o), "http://flag:3");
}

TEST(S3LocationTest, ParsesAndRefuses) {
  auto l = S3Location::parse("s3://my-bucket/dir/file.dump");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->bucket, "my-bucket");
  EXPECT_EQ(l->key, "dir/file.dump");
  EXPECT_EQ(l->to_string(), "s3://my-bucket/dir/file.dump");
  EXPECT_EQ(S3Location::parse("s3://b2b")->key, "");
  EXPECT_EQ(S3Location::parse("http://x/y").error().code, ErrorCode::kUsage);
  EXPECT_EQ(S3Location::parse("s3://a/k").error().code, ErrorCode::kUsage);
  EXPECT_EQ(S3Location::parse("s3://bad bucket/k").error().code, ErrorCode::kUsage);
}

TEST(S3LocationTest, PathStyleForEndpointsVirtualHostedForAws) {
  S3Target aws = make_target("bucket", "", "eu-west-3", std::nullopt);
  EXPECT_EQ(aws.scheme_host, "https://bucket.s3.eu-west-3.amazonaws.com");
  EXPECT_EQ(aws.path("a/b"), "/a/b");
  S3Target local = make_target("bucket", "http://127.0.0.1:9000", "us-east-1", std::nullopt);
  EXPECT_EQ(local.scheme_host, "http://127.0.0.1:9000");
  EXPECT_EQ(local.host, "127.0.0.1:9000");
  EXPECT_EQ(local.path("a/b"), "/bucket/a/b");
  S3Target dotted = make_target("my.bucket", "", "us-east-1", std::nullopt);
  EXPECT_EQ(dotted.path("k"), "/my.bucket/k");
  S3Target forced = make_target("b", "https://minio.example", "us-east-1", false);
  EXPECT_EQ(forced.host, "b.minio.example");
}

}  // namespace
}  // namespace pgshuttle::storage
