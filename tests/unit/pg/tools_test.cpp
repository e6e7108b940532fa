// find_tools: which client programs run for a pair of majors, from fake
// bin directories whose pg_dump only answers --version.
#include "pg/tools.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pgshuttle::pg {
namespace {

namespace fs = std::filesystem;

std::string fake_bindir(const std::string& version) {
  fs::path dir = fs::path(::testing::TempDir()) /
                 ("tools" + std::to_string(::getpid()) + "-" + version) / "bin";
  fs::create_directories(dir);
  std::ofstream(dir / "pg_dump") << "#!/bin/sh\necho 'pg_dump (PostgreSQL) " << version << "'\n";
  fs::permissions(dir / "pg_dump", fs::perms::owner_all);
  return dir.string();
}

TEST(PgTools, ParsesVersions) {
  EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), 15);
  EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 17.11"), 17);
  EXPECT_EQ(parse_tool_major("garbage"), 0);
  EXPECT_EQ(parse_tool_major("pg_restore (PostgreSQL) 9.6.24\n"), 9);
  EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 17devel"), 17);
  EXPECT_EQ(parse_tool_major("command not found"), 0);
  EXPECT_EQ(parse_server_major("13.23 (Debian 13.23-0+deb11u4)"), 13);
  EXPECT_EQ(parse_server_major(""), 0);
}

TEST(PgTools, AnUpgradeUsesTheTargetsMajor) {
  std::string dirs = fake_bindir("13.1") + ":" + fake_bindir("99.1") + ":" + fake_bindir("98.2");
  auto t = find_tools(13, 98, dirs);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->major, 98);
  EXPECT_EQ(t->pg_restore, t->bindir + "/pg_restore");
  auto backup = find_tools(13, 0, dirs);  // a backup knows no target: the source's own
  ASSERT_TRUE(backup.ok());
  EXPECT_EQ(backup->major, 13);
}

TEST(PgTools, WithoutTheTargetsMajorTheNewestFittingOneIsUsed) {
  std::string dirs = fake_bindir("13.1") + ":" + fake_bindir("96.1");
  auto t = find_tools(13, 97, dirs);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->major, 96);
}

TEST(PgTools, ADowngradeAndAMissingClientAreRefused) {
  auto down = find_tools(17, 15, fake_bindir("17.2"));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kVersionMismatch);
  EXPECT_NE(down.error().message.find("downgrade"), std::string::npos);
  auto none = find_tools(200, 0, fake_bindir("13.1"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kVersionMismatch);
  EXPECT_NE(none.error().hint.find("postgresql-client-200"), std::string::npos);
}

}  // namespace
}  // namespace pgshuttle::pg
