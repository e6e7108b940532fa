// Mistakes a user makes on the command line end before anything is touched,
// with the usage exit code and a message naming the cause.
#include <gtest/gtest.h>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

// An unset shell variable ("$TARGET_URL") reaches pgshuttle as "": libpq
// would read that as its defaults and connect to the local socket's server.
TEST(Usage, EmptyConnectionStringsAreRefused) {
  rig::ScratchDatabase src(rig::Server::kSource, "usage_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "usage_dst");
  std::string s = src.url(), t = dst.url();
  std::vector<std::vector<std::string>> commands = {
      {"copy", s, ""},
      {"copy", "", t},
      {"verify", s, ""},
      {"check", "", t},
      {"inspect", ""},
      {"backup", "", "--to", "/dev/null"},
      {"restore", "/dev/null", "--target", ""},
      {"migrate", s, "", "--direct"},
      {"maintenance", "status", ""},
  };
  for (const auto& argv : commands) {
    auto r = rig::run_pgshuttle(argv, {{"PGSHUTTLE_STATE_DIR", "/tmp/pgshuttle-usage-test"}});
    std::string shown = argv[0] + " " + argv[1];
    EXPECT_EQ(r.exit_code, 2) << shown << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("empty connection string"), std::string::npos) << shown << "\n" << r.err;
  }
  // Nothing reached the target.
  EXPECT_EQ(rig::psql(dst.url(), "SELECT count(*) FROM pg_class WHERE relnamespace > 16384"), "0");
}

}  // namespace
}  // namespace pgshuttle
