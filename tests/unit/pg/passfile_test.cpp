#include "pg/passfile.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/subprocess.h"

namespace pgshuttle::pg {
namespace {

// kill -9 runs no destructor: the password must not be in a file at all.
// The child that is given the descriptor reads it through PGPASSFILE; a
// child that is not given it cannot.
TEST(Passfile, LivesInMemoryAndReachesOnlyTheChildGivenIt) {
  std::string tmp = ::testing::TempDir() + "/passfile-tmp";
  std::filesystem::remove_all(tmp);
  std::filesystem::create_directories(tmp);
  setenv("TMPDIR", tmp.c_str(), 1);
  auto c = ConnInfo::parse("host=h user=u password=secret");
  ASSERT_TRUE(c.ok());
  auto pf = Passfile::create(*c);
  unsetenv("TMPDIR");
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf->path().rfind("/proc/self/fd/", 0), 0u) << pf->path();
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
  ASSERT_EQ(pf->inherit_fds().size(), 1u);
  SubprocessOptions o;
  o.argv = {"sh", "-c", "cat \"$PGPASSFILE\" && stat -L -c %a \"$PGPASSFILE\""};
  o.env = pf->env();
  o.inherit_fds = pf->inherit_fds();
  auto out = run_and_capture(o);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, "*:*:*:*:secret\n600\n");
  o.inherit_fds.clear();
  EXPECT_FALSE(run_and_capture(o).ok());
}

}  // namespace
}  // namespace pgshuttle::pg
