#include "pg/conninfo.h"

#include <gtest/gtest.h>

#include "core/redact.h"
#include "pg/passfile.h"

#include <sys/stat.h>
#include <fstream>

namespace pgshuttle::pg {
namespace {

TEST(ConnInfo, ParsesUri) {
  auto c = ConnInfo::parse("postgresql://bob:pa%3Ass@db.example.com:6543/shop?sslmode=require");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->get("host"), "db.example.com");
  EXPECT_EQ(c->get("port"), "6543");
  EXPECT_EQ(c->get("user"), "bob");
  EXPECT_EQ(c->get("dbname"), "shop");
  EXPECT_EQ(c->get("sslmode"), "require");
  EXPECT_EQ(c->password(), "pa:ss");
  EXPECT_EQ(c->to_uri(false), "postgresql://bob:***@db.example.com:6543/shop?sslmode=require");
  EXPECT_EQ(c->to_uri(true), "postgresql://bob:pa%3Ass@db.example.com:6543/shop?sslmode=require");
}

TEST(ConnInfo, ParsesKeywordString) {
  auto c = ConnInfo::parse("host=h port=7 dbname='my db' user=u password=secretpw");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->get("dbname"), "my db");
  EXPECT_EQ(c->to_keyword_string_without_password().find("secretpw"), std::string::npos);
  EXPECT_NE(c->to_keyword_string().find("secretpw"), std::string::npos);
  // The parse registered the password: logs can no longer show it.
  EXPECT_EQ(redact("oops secretpw"), "oops ***");
}

TEST(ConnInfo, RejectsGarbageWithoutLeakingIt) {
  auto c = ConnInfo::parse("postgresql://u:hunter22@h/db?nosuchoption=1");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUsage);
  EXPECT_EQ(c.error().to_string().find("hunter22"), std::string::npos);
  EXPECT_FALSE(c.error().hint.empty());
}

// An unset shell variable ("$TARGET_URL" empty) must not mean libpq's
// defaults: that connects to whatever the local socket serves.
TEST(ConnInfo, RejectsAnEmptyString) {
  for (const char* text : {"", " ", "\t\n"}) {
    auto c = ConnInfo::parse(text);
    ASSERT_FALSE(c.ok()) << "'" << text << "'";
    EXPECT_EQ(c.error().code, ErrorCode::kUsage);
    EXPECT_NE(c.error().message.find("empty connection string"), std::string::npos);
    EXPECT_NE(c.error().hint.find("dbname="), std::string::npos);
  }
}

TEST(ConnInfo, EnvironmentFillsTheGaps) {
  setenv("PGHOST", "envhost", 1);
  setenv("PGPORT", "6000", 1);
  auto c = ConnInfo::parse("dbname=x");
  ASSERT_TRUE(c.ok());
  auto eff = c->effective();
  EXPECT_EQ(eff["host"], "envhost");
  EXPECT_EQ(eff["port"], "6000");
  EXPECT_EQ(eff["dbname"], "x");
  unsetenv("PGHOST");
  unsetenv("PGPORT");
}

TEST(Passfile, IsPrivateAndRemoved) {
  auto c = ConnInfo::parse("host=h user=u password=pa:ss\\\\w");
  ASSERT_TRUE(c.ok());
  std::string path;
  {
    auto pf = Passfile::create(*c);
    ASSERT_TRUE(pf.ok());
    path = pf->path();
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "*:*:*:*:pa\\:ss\\\\w");
    EXPECT_EQ(*pf->env().at("PGPASSFILE"), path);
    EXPECT_FALSE(pf->env().at("PGPASSWORD").has_value());
  }
  struct stat st {};
  EXPECT_NE(stat(path.c_str(), &st), 0);
}

}  // namespace
}  // namespace pgshuttle::pg
