// Issue 16's bounded chaos test: copy, restore, backup (to S3 and to a
// file) and migrate are each
// killed with SIGKILL (the pgshuttle process only, as `kill -9 PID` does:
// its pg_dump or pg_restore is left to find its pipe gone) at random
// moments, then run again once with the same command (copy's source is
// fenced read-only first, as the runbook has it). The re-run must
// finish, the result must match the source by the rig's own comparison
// (never pgshuttle's verify alone), and nothing may be left: no server
// session in either database, no multipart upload, no replication slot,
// no temp file in TMPDIR or beside a backup file. A trial whose command
// ended before its kill is reported as skipped.
//
// The moments come from a seed printed with every trial;
// PGSHUTTLE_CHAOS_SEED=N repeats a run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/subprocess.h"
#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

namespace fs = std::filesystem;
using rig::psql;

constexpr int kTrials = 2;  // per command: bounded, so the suite stays short

unsigned seed_for(const std::string& name) {
  if (const char* s = std::getenv("PGSHUTTLE_CHAOS_SEED")) return std::strtoul(s, nullptr, 10);
  return std::random_device{}() ^ static_cast<unsigned>(std::hash<std::string>{}(name));
}

class ChaosRig : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = ::testing::TempDir() + "/" + rig::unique_name("chaos");
    tmp_dir_ = base + "/tmp";
    fs::create_directories(tmp_dir_);
    env_ = {{"PGSHUTTLE_STATE_DIR", base + "/state"}, {"TMPDIR", tmp_dir_}};
    for (const char* k : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}) {
      env_[k] = rig::env(k);
    }
    env_["AWS_ENDPOINT_URL"] = rig::env("S3_ENDPOINT");
    bucket_ = rig::unique_name("chaos");
    std::replace(bucket_.begin(), bucket_.end(), '_', '-');
    auto mb = rig::run_pgshuttle({"storage", "mb", "s3://" + bucket_}, env_);
    ASSERT_EQ(mb.exit_code, 0) << mb.err;
    rig::load_fixture(src_.url(), 1);
  }

  // The command under test, as a user types it.
  std::vector<std::string> command(const std::string& kind) {
    if (kind == "copy") {
      // As the runbook has it: a copy of a writable source cannot resume
      // consistently (its snapshot died with it) and says so; of a fenced
      // one it resumes with the same command.
      auto m = rig::run_pgshuttle({"maintenance", "on", src_.url()}, env_);
      EXPECT_EQ(m.exit_code, 0) << m.err;
      return {"copy", src_.url(), dst_.url(), "--jobs", "2"};
    }
    if (kind == "restore") {
      if (archive_.empty()) {
        archive_ = tmp_dir_ + "/../source.dump";
        auto d = rig::run_program({"pg_dump", "-Fc", "-f", archive_, src_.url()});
        EXPECT_EQ(d.exit_code, 0) << d.err;
      }
      return {"restore", archive_, "--target", dst_.url(), "--jobs", "2"};
    }
    if (kind == "backup") {
      return {"backup", src_.url(), "--to", "s3://" + bucket_ + "/chaos.dump", "--sse", "none"};
    }
    if (kind == "backup_file") {
      fs::create_directories(out_dir());
      return {"backup", src_.url(), "--to", out_dir() + "/chaos.dump"};
    }
    return {"migrate", src_.url(), dst_.url(),        "--via", "s3://" + bucket_ + "/m",
            "--sse",   "none",     "--release-source"};
  }

  // Starts `args`, kills the pgshuttle process after `delay`; false when it
  // had already ended by then (nothing was interrupted).
  bool kill_after(const std::vector<std::string>& args, std::chrono::milliseconds delay) {
    SubprocessOptions o;
    o.argv = {rig::pgshuttle_bin()};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.inherit = {"*"};
    for (const auto& [k, v] : env_) o.env[k] = v;
    auto child = Subprocess::spawn(o);
    EXPECT_TRUE(child.ok());
    if (!child.ok()) return false;
    std::this_thread::sleep_for(delay);
    siginfo_t info{};
    bool ended =
        ::waitid(P_PID, static_cast<id_t>(child->pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == child->pid();
    if (!ended) ::kill(child->pid(), SIGKILL);
    (void)child->wait();
    return !ended;
  }

  // Runs `args` with the fault point `point` killing it (SIGKILL).
  void kill_at(const std::vector<std::string>& args, const std::string& point) {
    auto env = env_;
    env["PGSHUTTLE_FAULTS"] = "kill@" + point;
    auto killed = rig::run_pgshuttle(args, env);
    ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  }

  // Sessions still connected to `db` (other than this query's), waiting up
  // to 10 s for what a killed run left to end.
  std::string sessions_left(const std::string& admin_url, const std::string& db) {
    std::string q =
        "SELECT string_agg(coalesce(application_name, '') || ':' || state, ', ') "
        "FROM pg_stat_activity WHERE datname = '" +
        db + "' AND pid <> pg_backend_pid()";
    std::string left;
    for (int i = 0; i < 20; ++i) {
      left = psql(admin_url, q);
      if (left.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return left;
  }

  void expect_nothing_left() {
    EXPECT_EQ(sessions_left(rig::env("RIG_SOURCE_ADMIN"), src_.name()), "");
    EXPECT_EQ(sessions_left(rig::env("RIG_TARGET_ADMIN"), dst_.name()), "");
    auto up = rig::run_pgshuttle({"--json", "storage", "uploads", "s3://" + bucket_}, env_);
    EXPECT_EQ(up.exit_code, 0) << up.err;
    auto j = nlohmann::json::parse(up.out.empty() ? "[]" : up.out, nullptr, false);
    EXPECT_TRUE(!j.is_discarded() && j.empty()) << "multipart uploads left: " << up.out;
    EXPECT_EQ(
        psql(rig::env("RIG_SOURCE_ADMIN"),
             "SELECT count(*) FROM pg_replication_slots WHERE database = '" + src_.name() + "'"),
        "0");
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(tmp_dir_)) files.push_back(e.path());
    EXPECT_TRUE(files.empty()) << "left in TMPDIR: " << testing::PrintToString(files);
    // A backup to a file writes a hidden temporary file next to it first.
    std::vector<std::string> beside;
    if (fs::exists(out_dir())) {
      for (const auto& e : fs::directory_iterator(out_dir())) {
        if (e.path().filename() != "chaos.dump") beside.push_back(e.path());
      }
    }
    EXPECT_TRUE(beside.empty()) << "left beside the backup: " << testing::PrintToString(beside);
  }

  std::string out_dir() const { return tmp_dir_ + "/../out"; }

  // The result, judged by the rig: the target (or the archive, restored by
  // pg_restore into a scratch database) matches the source.
  void expect_result(const std::string& kind) {
    if (kind != "backup" && kind != "backup_file") {
      rig::expect_identical(src_.admin_url(), dst_.admin_url());
      return;
    }
    std::string file = out_dir() + "/chaos.dump";
    if (kind == "backup") {
      file = tmp_dir_ + "/../fetched.dump";
      auto get = rig::run_program({"aws", "--endpoint-url", rig::env("S3_ENDPOINT"), "s3", "cp",
                                   "s3://" + bucket_ + "/chaos.dump", file},
                                  env_);
      ASSERT_EQ(get.exit_code, 0) << get.err;
    }
    rig::ScratchDatabase check(rig::Server::kTarget, "chaos_chk");
    auto r = rig::run_program({"pg_restore", "--no-owner", "-d", check.admin_url(), file});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rig::expect_identical(src_.admin_url(), check.admin_url());
  }

  rig::ScratchDatabase src_{rig::Server::kSource, "chaos_src"};
  rig::ScratchDatabase dst_{rig::Server::kTarget, "chaos_dst"};
  std::string tmp_dir_, bucket_, archive_;
  std::map<std::string, std::string> env_;
};

class Chaos : public ChaosRig,
              public ::testing::WithParamInterface<std::tuple<std::string, int>> {};

TEST_P(Chaos, KillNineThenOneRerunOfTheSameCommand) {
  const auto& [kind, trial] = GetParam();
  unsigned seed = seed_for(kind + std::to_string(trial));
  std::mt19937 rng(seed);
  auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 800)(rng));
  std::vector<std::string> args = command(kind);
  SCOPED_TRACE("PGSHUTTLE_CHAOS_SEED=" + std::to_string(seed) + " kill after " +
               std::to_string(delay.count()) + " ms");
  bool interrupted = kill_after(args, delay);
  if (interrupted) {
    auto r = rig::run_pgshuttle(args, env_);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  }
  expect_result(kind);
  expect_nothing_left();
  // A run that ended before the kill proved the result, not the resume:
  // said as a skip, never counted as a kill survived.
  if (!interrupted) GTEST_SKIP() << "the command ended before the kill; nothing was interrupted";
}

// The two moments the random trials found, made certain with fault points.
// A backup killed after S3 completed its object, before the run recorded
// it: the same command used to refuse ("already exists", exit 14) an
// object no backup id points at.
TEST_F(ChaosRig, BackupKilledAfterItsObjectCompletedReplacesItOnTheRerun) {
  std::vector<std::string> args = command("backup");
  kill_at(args, "backup:committed");
  auto r = rig::run_pgshuttle(args, env_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("interrupted backup b001"), std::string::npos) << r.err;
  expect_result("backup");
  expect_nothing_left();
}

// An object that was there before (not a killed backup's) is never
// replaced, however often the refused command is repeated.
TEST_F(ChaosRig, AnObjectThatWasThereBeforeIsStillRefusedOnTheRerun) {
  std::string file = tmp_dir_ + "/../foreign.dump";
  rig::run_program({"sh", "-c", "echo foreign > " + file});
  auto put = rig::run_program({"aws", "--endpoint-url", rig::env("S3_ENDPOINT"), "s3", "cp", file,
                               "s3://" + bucket_ + "/chaos.dump"},
                              env_);
  ASSERT_EQ(put.exit_code, 0) << put.err;
  std::vector<std::string> args = command("backup");
  EXPECT_EQ(rig::run_pgshuttle(args, env_).exit_code, 14);
  EXPECT_EQ(rig::run_pgshuttle(args, env_).exit_code, 14);
  std::remove(file.c_str());
}

// A restore killed while loading: the same command used to refuse the
// target it had half written ("not empty ... --clean", exit 30).
TEST_F(ChaosRig, RestoreKilledWhileLoadingClearsItsOwnPartialTargetOnTheRerun) {
  std::vector<std::string> args = command("restore");
  kill_at(args, "restore:chunk");
  auto r = rig::run_pgshuttle(args, env_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("unfinished restore r001"), std::string::npos) << r.err;
  expect_result("restore");
  expect_nothing_left();
}

// Another restore into the same target must not clear what an unfinished
// one wrote: the guard applies as before.
TEST_F(ChaosRig, AnotherArchiveIsStillRefusedAPartialTarget) {
  std::vector<std::string> args = command("restore");
  kill_at(args, "restore:chunk");
  std::string other = tmp_dir_ + "/../other.dump";
  ASSERT_EQ(rig::run_program({"cp", archive_, other}).exit_code, 0);
  auto r = rig::run_pgshuttle({"restore", other, "--target", dst_.url()}, env_);
  EXPECT_EQ(r.exit_code, 30) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Commands, Chaos,
                         ::testing::Combine(::testing::Values("copy", "restore", "backup",
                                                              "backup_file", "migrate"),
                                            ::testing::Range(0, kTrials)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace pgshuttle
