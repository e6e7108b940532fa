// Mistakes a user makes on the command line end before anything is touched,
// with the usage exit code and a message naming the cause.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/subprocess.h"
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

// The single-database commands take the database from DATABASE_URL when
// none is given (as app platforms set it) and say so; with neither, they
// refuse naming both. An empty argument is still refused, never replaced.
TEST(Usage, SingleDatabaseCommandsDefaultToDatabaseUrl) {
  rig::ScratchDatabase db(rig::Server::kSource, "usage_dburl");
  std::map<std::string, std::string> env{{"PGSHUTTLE_STATE_DIR", "/tmp/pgshuttle-usage-test"},
                                         {"DATABASE_URL", db.url()}};
  std::vector<std::vector<std::string>> commands = {
      {"inspect"},
      {"maintenance", "status"},
      {"extensions", "list"},
      {"conninfo"},
      {"settings", "export", "--csv", "-"},
  };
  for (const auto& argv : commands) {
    auto r = rig::run_pgshuttle(argv, env);
    EXPECT_EQ(r.exit_code, 0) << argv[0] << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("using the database in DATABASE_URL"), std::string::npos)
        << argv[0] << "\n"
        << r.err;
  }
  EXPECT_NE(rig::run_pgshuttle({"conninfo"}, env).out.find("database: " + db.name()),
            std::string::npos);
  EXPECT_NE(rig::run_pgshuttle({"inspect"}, env).out.find(db.name()), std::string::npos);
  auto empty = rig::run_pgshuttle({"inspect", ""}, env);
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find("empty connection string"), std::string::npos) << empty.err;
  env["DATABASE_URL"] = "";
  for (const auto& argv : commands) {
    auto r = rig::run_pgshuttle(argv, env);
    EXPECT_EQ(r.exit_code, 2) << argv[0] << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("no database given, and DATABASE_URL is not set"), std::string::npos)
        << argv[0] << "\n"
        << r.err;
  }
}

// With --json, a failing command still prints one JSON document on stdout:
// its report when it got that far (verify's differences), else the error
// with its exit code, name and hint; the message stays on stderr too.
TEST(Usage, JsonErrorsAreOneJsonDocumentOnStdout) {
  std::map<std::string, std::string> env{{"PGSHUTTLE_STATE_DIR", "/tmp/pgshuttle-usage-test"}};
  rig::ScratchDatabase dst(rig::Server::kTarget, "usage_json");
  struct Case {
    std::vector<std::string> argv;
    int code;
    std::string name;
  };
  std::vector<Case> cases = {
      {{"--json", "info", "c999"}, 13, "not-found"},
      {{"--json", "restore", "/nonexistent/archive.dump", "--target", dst.url()}, 13, ""},
      {{"--json", "copy", "", dst.url()}, 2, "usage"},
  };
  for (const auto& c : cases) {
    auto r = rig::run_pgshuttle(c.argv, env);
    EXPECT_EQ(r.exit_code, c.code) << c.argv[1] << "\n" << r.out << r.err;
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << c.argv[1] << ": stdout is not one JSON document:\n"
                                     << r.out;
    ASSERT_TRUE(doc.contains("error")) << r.out;
    EXPECT_EQ(doc["error"]["code"], c.code) << r.out;
    if (!c.name.empty()) {
      EXPECT_EQ(doc["error"]["name"], c.name) << r.out;
    }
    EXPECT_FALSE(doc["error"]["message"].get<std::string>().empty());
    EXPECT_FALSE(r.err.empty()) << "the message belongs on stderr as well";
    EXPECT_EQ(r.out.find("apppass"), std::string::npos) << "a password in the JSON";
  }
}

// `pgshuttle help CMD` is CMD's help; a mistyped command is refused with
// the nearest one named, not "a subcommand is required".
TEST(Usage, HelpForACommandAndTheNearestCommandForATypo) {
  auto help = rig::run_pgshuttle({"help", "copy"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: pgshuttle copy"), std::string::npos) << help.out;
  auto typo = rig::run_pgshuttle({"--state-dir", "/tmp/pgshuttle-usage-test", "cpy", "a", "b"});
  EXPECT_EQ(typo.exit_code, 2) << typo.err;
  EXPECT_NE(typo.err.find("unknown command 'cpy'; did you mean 'copy'?"), std::string::npos)
      << typo.err;
  auto far = rig::run_pgshuttle({"frobnicate"});
  EXPECT_EQ(far.exit_code, 2) << far.err;
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

// Every command that touches S3 takes the same S3 options; those that
// store objects also the encryption ones, with AES256 shown as the default.
TEST(Usage, EveryS3CommandTakesTheSameS3Options) {
  std::vector<std::vector<std::string>> readers = {
      {"restore"},       {"url"},           {"storage", "ls"},     {"storage", "head"},
      {"storage", "rm"}, {"storage", "mb"}, {"storage", "uploads"}};
  std::vector<std::vector<std::string>> writers = {{"backup"}, {"migrate"}, {"storage", "cp"}};
  auto help = [](std::vector<std::string> argv) {
    argv.push_back("--help");
    return rig::run_pgshuttle(argv).out;
  };
  for (const auto* group : {&readers, &writers}) {
    for (const auto& argv : *group) {
      std::string text = help(argv);
      for (const char* option : {"--endpoint", "--region", "--profile"}) {
        EXPECT_NE(text.find(option), std::string::npos) << argv.back() << " lacks " << option;
      }
      bool writes = group == &writers;
      EXPECT_EQ(text.find("--sse TEXT:{AES256,aws:kms,none}=AES256") != std::string::npos, writes)
          << argv.back() << "\n"
          << text;
      EXPECT_EQ(text.find("--sse-kms-key-id") != std::string::npos, writes) << argv.back();
    }
  }
}

// `logs ID --follow` from another terminal prints the running transfer's
// lines as they come and returns when it ends, having printed its last.
TEST(Usage, LogsFollowPrintsARunningTransferToItsEnd) {
  rig::ScratchDatabase db(rig::Server::kSource, "usage_follow");
  rig::psql(db.admin_url(),
            "CREATE TABLE big AS SELECT g, md5(g::text) AS t FROM generate_series(1, 1500000) g");
  std::string state = ::testing::TempDir() + "/" + rig::unique_name("follow_state");
  std::string file = ::testing::TempDir() + "/" + rig::unique_name("follow") + ".dump";
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(),
            "--state-dir",
            state,
            "backup",
            db.url(),
            "--to",
            file,
            "--compress",
            "0"};
  o.inherit = {"*"};
  auto backup = Subprocess::spawn(o);
  ASSERT_TRUE(backup.ok());
  bool started = false;
  for (int i = 0; i < 200 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    started = rig::run_pgshuttle({"--state-dir", state, "info", "b001"}).exit_code == 0;
  }
  ASSERT_TRUE(started);
  auto followed = rig::run_pgshuttle({"--state-dir", state, "logs", "b001", "--follow"});
  auto status = backup->wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << backup->stderr_text();
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  auto all = rig::run_pgshuttle({"--state-dir", state, "logs", "b001"});
  ASSERT_FALSE(all.out.empty());
  EXPECT_EQ(followed.out, all.out) << "--follow stopped before the transfer's last line";
  std::remove(file.c_str());
}

}  // namespace
}  // namespace pgshuttle
