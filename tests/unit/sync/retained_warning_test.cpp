// When sync warns that its slot holds the source's WAL.
#include <gtest/gtest.h>

#include "sync/sync_stream.h"

namespace pgshuttle::sync {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;

TEST(RetainedWarning, WithALimitOnceAtEightyPercent) {
  EXPECT_FALSE(retained_warning_due(79 * kMiB, 100 * kMiB, 0));
  EXPECT_TRUE(retained_warning_due(80 * kMiB, 100 * kMiB, 0));
  EXPECT_FALSE(retained_warning_due(95 * kMiB, 100 * kMiB, 80 * kMiB));
}

TEST(RetainedWarning, WithoutALimitAtOneGibibyteAndEachDoubling) {
  EXPECT_FALSE(retained_warning_due(kGiB - 1, -1, 0));
  EXPECT_TRUE(retained_warning_due(kGiB, -1, 0));
  EXPECT_FALSE(retained_warning_due(2 * kGiB - 1, -1, kGiB));
  EXPECT_TRUE(retained_warning_due(2 * kGiB, -1, kGiB));
  EXPECT_TRUE(retained_warning_due(5 * kGiB, -1, 2 * kGiB));
}

}  // namespace
}  // namespace pgshuttle::sync
