// check: tool version parsing, version rules and the exit outcome.
#include <gtest/gtest.h>

#include "check/check.h"

namespace pgshuttle::check {
namespace {

bool has(const CheckReport& r, const std::string& code, Severity s) {
  for (const auto& f : r.findings) {
    if (f.code == code && f.severity == s) return !f.fix.empty();
  }
  return false;
}

TEST(Check, VersionRules) {
  CheckReport same;
  check_versions(same, 15, 15, 15, 15);
  EXPECT_TRUE(same.findings.empty());
  EXPECT_EQ(same.outcome(), ErrorCode::kOk);

  CheckReport older;
  check_versions(older, 16, 15, 15, 15);
  EXPECT_TRUE(has(older, "target-older", Severity::kBlocker));
  EXPECT_TRUE(has(older, "pg-dump-too-old", Severity::kBlocker));
  EXPECT_EQ(older.outcome(), ErrorCode::kBlocked);

  CheckReport missing;
  check_versions(missing, 15, 16, 0, 0);
  EXPECT_TRUE(has(missing, "pg-dump-missing", Severity::kBlocker));
  EXPECT_TRUE(has(missing, "pg-restore-missing", Severity::kBlocker));

  CheckReport newer;
  check_versions(newer, 14, 15, 17, 17);
  EXPECT_TRUE(has(newer, "pg-restore-newer", Severity::kWarning));
  EXPECT_EQ(newer.outcome(), ErrorCode::kWarnings);
}

TEST(Check, InfoAloneIsClean) {
  CheckReport r;
  r.add(Severity::kInfo, "estimate", "1 GB", "none");
  EXPECT_EQ(r.outcome(), ErrorCode::kOk);
  r.add(Severity::kWarning, "large-objects", "3", "fix");
  EXPECT_EQ(r.outcome(), ErrorCode::kWarnings);
  EXPECT_EQ(r.count(Severity::kWarning), 1);
}

}  // namespace
}  // namespace pgshuttle::check
