// Presigned URLs against the rig's S3: the same URL as `aws s3 presign` for
// the same request and date; good URLs download, and a tampered, a
// wrong-method and an expired URL are refused with the cause named. Then
// downloads whose connection is cut mid-way, which must resume and finish
// with identical bytes.
#include <fstream>

#include "s3_rig.h"
#include "storage/http_source.h"
#include "storage/sigv4.h"
#include "tcp_proxy.h"

namespace pgshuttle::storage::testing {
namespace {

using Presign = S3RigTest;
using std::chrono::seconds;

std::chrono::system_clock::time_point parse_amz_date(const std::string& url) {
  size_t at = url.find("X-Amz-Date=");
  std::string date = url.substr(at + 11, 16);
  std::tm tm{};
  strptime(date.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

TEST_F(Presign, IdenticalToAwsCli) {
  std::string config = ::testing::TempDir() + rig::unique_name("awsconfig");
  {
    std::ofstream f(config);  // SigV4 presigning (the CLI's default for us-east-1 is SigV2)
    f << "[default]\ns3 =\n  signature_version = s3v4\n";
  }
  for (std::string key : {"plain.bin", "dir a/b+c~d=é.bin", "x//y"}) {
    auto aws = rig::run_program({"/usr/bin/aws", "s3", "presign", url(key), "--endpoint-url",
                                 options_.endpoint, "--expires-in", "600"},
                                {{"AWS_CONFIG_FILE", config}});
    ASSERT_EQ(aws.exit_code, 0) << aws.err;
    std::string expected = aws.out.substr(0, aws.out.find_last_not_of("\n") + 1);
    std::string ours = client_->presign({bucket_, key}, seconds(600), parse_amz_date(expected));
    EXPECT_EQ(ours, expected) << key;
  }
  std::remove(config.c_str());
}

TEST_F(Presign, GoodUrlDownloadsAndBadOnesAreRefusedWithTheirCause) {
  std::string data = random_bytes(2'000'003, 7);
  upload("shared.bin", data);
  auto url_ok = presign_get_url(url("shared.bin"), seconds(300), options_);
  ASSERT_TRUE(url_ok.ok()) << url_ok.error().to_string();
  HttpSource good(*url_ok);
  ASSERT_EQ(*good.size(), data.size());
  EXPECT_EQ(*good.read_range(1'000'000, 17), data.substr(1'000'000, 17));
  EXPECT_TRUE(read_all(good) == data);

  std::string tampered = *url_ok;
  char& last = tampered.back();
  last = last == '0' ? '1' : '0';
  auto r1 = HttpSource(tampered).size();
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::kS3SignatureMismatch);
  EXPECT_NE(r1.error().hint.find("altered"), std::string::npos);
  EXPECT_EQ(r1.error().to_string().find(tampered.substr(tampered.size() - 64)), std::string::npos)
      << "the signature must not appear in messages";

  std::string put_url = client_->presign({bucket_, "shared.bin"}, seconds(300),
                                         std::chrono::system_clock::now(), "PUT");
  auto r2 = HttpSource(put_url).size();
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kS3SignatureMismatch);
  EXPECT_NE(r2.error().hint.find("another method"), std::string::npos);

  std::string expired = client_->presign({bucket_, "shared.bin"}, seconds(60),
                                         std::chrono::system_clock::now() - std::chrono::hours(1));
  auto r3 = HttpSource(expired).size();
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, ErrorCode::kUrlExpired) << r3.error().to_string();
  EXPECT_NE(r3.error().message.find("expired"), std::string::npos);
  EXPECT_NE(r3.error().hint.find("pgshuttle url s3://" + bucket_ + "/shared.bin"),
            std::string::npos);

  auto cli = rig::run_pgshuttle({"storage", "head", expired});
  EXPECT_EQ(cli.exit_code, static_cast<int>(ErrorCode::kUrlExpired));
  EXPECT_NE(cli.err.find("expired"), std::string::npos) << cli.err;
  EXPECT_EQ(cli.err.find(expired.substr(expired.size() - 64)), std::string::npos);
}

TEST_F(Presign, CliUrlDefaultsToFiveMinutesAndRefusesMoreThanSevenDays) {
  std::string endpoint = "--endpoint=" + options_.endpoint;
  auto ok = rig::run_pgshuttle({"url", url("k.bin"), endpoint});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("X-Amz-Expires=300&"), std::string::npos) << ok.out;
  auto week = rig::run_pgshuttle({"url", url("k.bin"), endpoint, "--expires", "7d"});
  EXPECT_EQ(week.exit_code, 0) << week.err;
  auto too_long = rig::run_pgshuttle({"url", url("k.bin"), endpoint, "--expires", "8d"});
  EXPECT_EQ(too_long.exit_code, static_cast<int>(ErrorCode::kUsage));
  EXPECT_NE(too_long.err.find("7 days"), std::string::npos) << too_long.err;
}

int endpoint_port(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

TEST_F(Presign, CutDownloadsResumeWithIdenticalBytes) {
  std::string data = random_bytes(24u << 20, 8);
  upload("resume.bin", data, 8u << 20);
  {  // signed S3 stream through a proxy that drops the first connection at 7 MB
    TcpProxy proxy(endpoint_port(options_.endpoint), 7'000'000);
    S3Options via = rig_options("http://127.0.0.1:" + std::to_string(proxy.port()));
    auto src = open_source(url("resume.bin"), via);
    ASSERT_TRUE(src.ok());
    EXPECT_TRUE(read_all(**src) == data);
    EXPECT_TRUE(proxy.cut());
    EXPECT_GE(proxy.connections(), 2);
  }
  {  // a presigned URL through the proxy: a ranged read cut at 3 MB
    TcpProxy proxy(endpoint_port(options_.endpoint), 3'000'000);
    S3Options via = rig_options("http://127.0.0.1:" + std::to_string(proxy.port()));
    auto u = presign_get_url(url("resume.bin"), seconds(300), via);
    ASSERT_TRUE(u.ok());
    HttpSource src(*u);
    auto got = src.read_range(1'000'000, 10'000'000);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    EXPECT_TRUE(*got == data.substr(1'000'000, 10'000'000));
    EXPECT_TRUE(proxy.cut());
  }
}

// An object replaced (same size, other bytes) after its size and ETag were
// read: the next range is refused, from S3 and from a presigned URL alike,
// as kArchiveChanged, never answered with the new object's bytes.
// (Before If-Match on every range, both reads returned the new bytes.)
TEST_F(Presign, AnObjectReplacedWhileReadIsRefusedNotMixed) {
  std::string before = random_bytes(1'000'001, 11), after = random_bytes(1'000'001, 12);
  upload("replaced.bin", before);
  auto s3 = open_source(url("replaced.bin"), options_);
  ASSERT_TRUE(s3.ok()) << s3.error().to_string();
  auto presigned = presign_get_url(url("replaced.bin"), seconds(300), options_);
  ASSERT_TRUE(presigned.ok()) << presigned.error().to_string();
  HttpSource http(*presigned);
  ASSERT_EQ(*(*s3)->size(), before.size());
  ASSERT_EQ(*http.size(), before.size());
  EXPECT_EQ(*(*s3)->read_range(10, 100), before.substr(10, 100));
  EXPECT_EQ(*http.read_range(10, 100), before.substr(10, 100));

  upload("replaced.bin", after);
  auto from_s3 = (*s3)->read_range(500'000, 100);
  ASSERT_FALSE(from_s3.ok()) << "read the replaced object's bytes";
  EXPECT_EQ(from_s3.error().code, ErrorCode::kArchiveChanged) << from_s3.error().to_string();
  EXPECT_NE(from_s3.error().message.find("replaced while it was being read"), std::string::npos)
      << from_s3.error().to_string();
  auto from_url = http.read_range(500'000, 100);
  ASSERT_FALSE(from_url.ok()) << "read the replaced object's bytes";
  EXPECT_EQ(from_url.error().code, ErrorCode::kArchiveChanged) << from_url.error().to_string();
  EXPECT_EQ(from_url.error().to_string().find("X-Amz-Signature"), std::string::npos)
      << from_url.error().to_string();
  // A source opened afresh reads the new object.
  auto fresh = open_source(url("replaced.bin"), options_);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*(*fresh)->read_range(500'000, 100), after.substr(500'000, 100));
}

}  // namespace
}  // namespace pgshuttle::storage::testing
