// A copy's resume state belongs to the database it wrote into: after a
// killed copy, a target dropped and created again under the same name is
// another database, and the same command starts a new copy there instead
// of continuing the old one (whose finished steps are not in the new
// database). `--resume` of the old run is refused, naming why.
#include <gtest/gtest.h>

#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

TEST(CopyResume, ATargetCreatedAgainGetsANewCopyNotTheOldRunsResume) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  std::string dir = "/tmp/" + rig::unique_name("copy_state");
  std::vector<std::string> args{"--state-dir", dir, "copy", src.url(), dst.url(), "--no-verify"};
  auto killed = rig::run_pgshuttle(args, {{"PGSHUTTLE_FAULTS", "kill@copy:schema:20"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;

  std::string admin = rig::env("RIG_TARGET_ADMIN");
  psql(admin, "DROP DATABASE " + dst.name() + " WITH (FORCE)");
  psql(admin, "CREATE DATABASE " + dst.name() + " OWNER " + rig::env("RIG_TARGET_APP_USER"));

  std::vector<std::string> resume = args;
  resume.insert(resume.end(), {"--resume", "c001"});
  auto refused = rig::run_pgshuttle(resume);
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("dropped and created again"), std::string::npos) << refused.err;

  auto r = rig::run_pgshuttle(args);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  EXPECT_NE(r.out.find("copy c002:"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("starting a new copy"), std::string::npos) << r.err;
  rig::expect_identical(src.admin_url(), dst.admin_url());
}

}  // namespace
}  // namespace pgshuttle
