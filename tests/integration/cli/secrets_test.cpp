// No command may print a password, in any output, whatever happens: a URL
// with a password goes through every command and every output is searched.
#include <gtest/gtest.h>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

constexpr const char* kPassword = "srcpass";  // the rig source superuser's real password

TEST(Secrets, NoCommandPrintsThePassword) {
  rig::ScratchDatabase src(rig::Server::kSource, "secrets_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "secrets_dst");
  rig::load_fixture(src.url(), 1);
  std::string good = src.url();
  ASSERT_NE(good.find(kPassword), std::string::npos);
  std::string bad = "postgresql://postgres:" + std::string(kPassword) +
                    "-but-wrong@127.0.0.1:" + rig::env("RIG_SOURCE_PORT") + "/" + src.name();
  std::string kv = "host=127.0.0.1 port=" + rig::env("RIG_SOURCE_PORT") + " dbname=" + src.name() +
                   " user=postgres password=" + kPassword;
  std::string dst_url = dst.url();
  std::string dst_password = rig::env("RIG_TARGET_APP_PASSWORD");

  std::vector<std::vector<std::string>> commands = {
      {"conninfo", good},        {"conninfo", "--json", good}, {"conninfo", "--env", kv},
      {"inspect", good},         {"inspect", "--json", good},  {"inspect", bad},
      {"inspect", kv},           {"inspect", "-v", good},      {"inspect", dst_url},
      {"no-such-command", good},
  };
  // Commands that landed later are covered too when present in this build.
  auto help = rig::run_pgshuttle({"--help"}).out;
  auto has = [&help](const std::string& c) {
    return help.find("  " + c + " ") != std::string::npos;
  };
  if (has("verify")) commands.push_back({"verify", good, dst_url});
  if (has("check")) commands.push_back({"check", good, dst_url});
  if (has("copy")) commands.push_back({"copy", bad, dst_url});
  if (has("backup")) commands.push_back({"backup", bad, "--to", "/dev/null"});
  if (has("settings")) commands.push_back({"settings", "diff", good, dst_url});
  if (has("extensions")) commands.push_back({"extensions", "diff", good, dst_url});
  if (has("maintenance")) commands.push_back({"maintenance", "status", good});
  if (has("roles")) {
    commands.push_back({"roles", good, dst_url});
    commands.push_back({"roles", bad});
  }

  for (const auto& args : commands) {
    auto r = rig::run_pgshuttle(args);
    std::string all = r.out + r.err;
    std::string cmd = args[0];
    EXPECT_EQ(all.find(kPassword), std::string::npos) << cmd << " printed the password:\n" << all;
    EXPECT_EQ(all.find(dst_password), std::string::npos) << cmd << " printed the target password";
  }
}

TEST(Secrets, ShowPasswordIsExplicit) {
  auto r = rig::run_pgshuttle({"conninfo", "--show-password", "postgresql://u:hunter22@h/d"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("hunter22"), std::string::npos);
}

}  // namespace
}  // namespace pgshuttle
