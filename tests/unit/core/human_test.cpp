#include "core/human.h"

#include <gtest/gtest.h>

#include "core/result.h"

namespace pgshuttle {
namespace {

TEST(Human, Bytes) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(5ull << 30), "5.0 GiB");
}

TEST(Human, Durations) {
  EXPECT_EQ(human_duration(std::chrono::seconds(5)), "5.0s");
  EXPECT_EQ(human_duration(std::chrono::seconds(125)), "2m05s");
  EXPECT_EQ(human_duration(std::chrono::seconds(7300)), "2h01m");
}

TEST(Human, ParseSize) {
  EXPECT_EQ(parse_size("4096"), 4096);
  EXPECT_EQ(parse_size("256K"), 256 * 1024);
  EXPECT_EQ(parse_size("16MB"), 16LL << 20);
  EXPECT_EQ(parse_size("1.5GiB"), 3LL << 29);
  EXPECT_EQ(parse_size("0"), 0);
  for (const char* bad : {"", "MB", "-1MB", "12 parsecs", "inf", "nan", "9999999999GB"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
}

TEST(Human, ParseDuration) {
  EXPECT_EQ(parse_duration("90")->count(), 90);
  EXPECT_EQ(parse_duration("5m")->count(), 300);
  EXPECT_EQ(parse_duration("7d")->count(), 7 * 86400);
  EXPECT_FALSE(parse_duration("5 minutes"));
  EXPECT_FALSE(parse_duration("-3s"));
  EXPECT_FALSE(parse_duration(""));
}

Result<int> half(int x) {
  if (x % 2) return make_error(ErrorCode::kUsage, "odd", "pass an even number");
  return x / 2;
}

Result<int> quarter(int x) {
  PGS_ASSIGN_OR_RETURN(int h, half(x));
  PGS_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(ResultType, PropagatesErrorsAndValues) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  EXPECT_EQ(r.error().to_string(), "odd\nhint: pass an even number");
  EXPECT_EQ(r.error().with_context("step 2").to_string(), "step 2: odd\nhint: pass an even number");
}

}  // namespace
}  // namespace pgshuttle
