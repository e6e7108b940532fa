// What other users of the machine and pgshuttle's own children can see: the
// dump and the state are private files, child processes get no AWS secret,
// a password typed on the command line leaves pgshuttle's argv once parsed,
// and a missing database has the exit code the README gives it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "core/subprocess.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> s3_env(const std::string& state_dir) {
  std::map<std::string, std::string> env{{"PGSHUTTLE_STATE_DIR", state_dir}};
  for (const char* k :
       {"S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}) {
    env[k] = rig::env(k);
  }
  env["AWS_REGION"] = rig::env("AWS_DEFAULT_REGION");
  return env;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// An executable shell script at `path`.
void write_script(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body;
  fs::permissions(path, fs::perms::owner_all);
}

std::string scratch_dir(const std::string& prefix) {
  std::string dir = ::testing::TempDir() + "/" + rig::unique_name(prefix);
  fs::create_directories(dir);
  return dir;
}

// Under the common umask 022 the dump is readable by its owner only (it was
// chmod'ed 0644), and the state directory pgshuttle creates is 0700 with
// 0600 files.
TEST(ProcessSecurity, BackupFileAndStateArePrivate) {
  rig::ScratchDatabase source(rig::Server::kSource, "psec_mode");
  rig::psql(source.admin_url(), "CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g");
  std::string dir = scratch_dir("psec_mode");
  std::string state = dir + "/state";
  std::string dump = dir + "/db.dump";
  mode_t old = ::umask(022);
  auto r =
      rig::run_pgshuttle({"backup", source.url(), "--to", dump}, {{"PGSHUTTLE_STATE_DIR", state}});
  ::umask(old);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(dump), 0600u);
  EXPECT_EQ(mode_of(state), 0700u);
  EXPECT_EQ(mode_of(state + "/transfers.db"), 0600u);
}

// pg_dump is a script that records its environment and then runs the real
// pg_dump: the backup to S3 works (pgshuttle itself has the AWS keys) while
// the child sees neither the keys nor any other variable it has no use for,
// only PATH, the locale and the libpq variables (the passfile).
TEST(ProcessSecurity, ChildProcessesGetNoAwsSecrets) {
  rig::ScratchDatabase source(rig::Server::kSource, "psec_env");
  rig::psql(source.admin_url(), "CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g");
  std::string dir = scratch_dir("psec_env");
  std::string seen = dir + "/pg_dump.env";
  std::string spy = dir + "/pg_dump_spy";
  write_script(spy, "env >> '" + seen + "'\nexec pg_dump \"$@\"\n");
  auto env = s3_env(dir + "/state");
  env["GITHUB_TOKEN"] = "marker-token-8842";
  env["PGAPPNAME"] = "psec-appname";  // a libpq variable of the user's: it must pass
  std::string bucket = rig::unique_name("psec");
  std::replace(bucket.begin(), bucket.end(), '_', '-');
  auto mb = rig::run_pgshuttle(
      {"storage", "mb", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")}, env);
  ASSERT_EQ(mb.exit_code, 0) << mb.err;

  auto r =
      rig::run_pgshuttle({"backup", source.url(), "--to", "s3://" + bucket + "/db.dump", "--sse",
                          "none", "--endpoint", rig::env("S3_ENDPOINT"), "--pg-dump", spy},
                         env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string text = "\n" + rig::read_file(seen);
  ASSERT_NE(text.find("\nPATH="), std::string::npos) << "the spy never ran: " << text;
  EXPECT_EQ(text.find(rig::env("AWS_SECRET_ACCESS_KEY")), std::string::npos) << text;
  EXPECT_EQ(text.find("\nAWS_"), std::string::npos) << text;
  EXPECT_EQ(text.find("marker-token-8842"), std::string::npos) << text;
  EXPECT_EQ(text.find("PGSHUTTLE_STATE_DIR"), std::string::npos) << text;
  EXPECT_NE(text.find("\nPGPASSFILE="), std::string::npos) << text;
  EXPECT_NE(text.find("\nPGAPPNAME=psec-appname\n"), std::string::npos) << text;
}

// /proc/PID/cmdline is what `ps` shows every user. While a backup runs (its
// pg_dump held back by a script until the test has looked), pgshuttle's
// argv no longer holds the password of the URL it was given, and a warning
// said how to pass it instead.
TEST(ProcessSecurity, PasswordLeavesArgvWhileTheCommandRuns) {
  rig::ScratchDatabase source(rig::Server::kSource, "psec_ps");
  rig::psql(source.admin_url(), "CREATE TABLE t AS SELECT g FROM generate_series(1, 100) g");
  const std::string password = "srcpass";  // the rig source superuser's
  ASSERT_NE(source.url().find(":" + password + "@"), std::string::npos);
  std::string dir = scratch_dir("psec_ps");
  std::string ready = dir + "/ready", go = dir + "/go";
  std::string held = dir + "/pg_dump_held";
  write_script(held,
               "case \"$1\" in --version) exec pg_dump \"$@\";; esac\n"
               "touch '" +
                   ready +
                   "'\n"
                   "i=0; while [ ! -e '" +
                   go +
                   "' ] && [ $i -lt 600 ]; do sleep 0.1; "
                   "i=$((i+1)); done\n"
                   "exec pg_dump \"$@\"\n");
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "backup",    source.url(), "--to",
            dir + "/db.dump",     "--pg-dump", held};
  o.inherit = {"*"};
  o.env["PGSHUTTLE_STATE_DIR"] = dir + "/state";
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok()) << child.error().to_string();
  for (int i = 0; i < 600 && !fs::exists(ready); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string cmdline = rig::read_file("/proc/" + std::to_string(child->pid()) + "/cmdline");
  std::ofstream(go).flush();
  ASSERT_TRUE(fs::exists(ready)) << "pg_dump never started";
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  EXPECT_EQ(cmdline.find(password), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("postgresql://postgres:*******@127.0.0.1:"), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find(" --pg-dump " + held), std::string::npos) << cmdline;

  auto rc = child->wait();
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 0) << child->stderr_text();
  EXPECT_NE(child->stderr_text().find("PGPASSWORD, ~/.pgpass"), std::string::npos)
      << child->stderr_text();
  EXPECT_NE(child->stderr_text().find("or DATABASE_URL"), std::string::npos)
      << child->stderr_text();
  EXPECT_EQ(child->stderr_text().find(password), std::string::npos);
}

// The same for a presigned URL given to restore: while the restore runs
// (slowed by the test hook), its X-Amz-Signature and the target's password
// are gone from argv, and each kind of secret had its warning.
TEST(ProcessSecurity, PresignedUrlSignatureLeavesArgvWhileRestoring) {
  rig::ScratchDatabase source(rig::Server::kSource, "psec_url");
  rig::psql(source.admin_url(),
            "CREATE TABLE t AS SELECT g, md5(g::text) AS h FROM generate_series(1, 15000) g");
  rig::ScratchDatabase target(rig::Server::kTarget, "psec_url_t");
  std::string dir = scratch_dir("psec_url");
  auto env = s3_env(dir + "/state");
  std::string bucket = rig::unique_name("psec-url");
  std::replace(bucket.begin(), bucket.end(), '_', '-');
  std::string endpoint = rig::env("S3_ENDPOINT");
  auto mb = rig::run_pgshuttle({"storage", "mb", "s3://" + bucket, "--endpoint", endpoint}, env);
  ASSERT_EQ(mb.exit_code, 0) << mb.err;
  std::string object = "s3://" + bucket + "/db.dump";
  auto b = rig::run_pgshuttle(
      {"backup", source.url(), "--to", object, "--sse", "none", "--endpoint", endpoint}, env);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto u = rig::run_pgshuttle({"url", object, "--expires", "10m", "--endpoint", endpoint}, env);
  ASSERT_EQ(u.exit_code, 0) << u.err;
  std::string url = u.out.substr(0, u.out.find_last_not_of('\n') + 1);
  size_t sig = url.find("X-Amz-Signature=");
  ASSERT_NE(sig, std::string::npos) << url;
  std::string signature = url.substr(sig + 16, url.find('&', sig) - (sig + 16));
  ASSERT_GE(signature.size(), 32u) << url;

  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "restore", url, "--target", target.url(), "--jobs", "1"};
  o.inherit = {"*"};
  for (const auto& [k, v] : env) o.env[k] = v;
  o.env["PGSHUTTLE_FAULTS"] = "sleep=50@restore:chunk";  // about 4 s in all
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok()) << child.error().to_string();
  bool running = false;
  for (int i = 0; i < 400 && !running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    running = rig::run_pgshuttle({"info", "r001"}, env).out.find("Running") != std::string::npos;
  }
  std::string cmdline = rig::read_file("/proc/" + std::to_string(child->pid()) + "/cmdline");
  ASSERT_TRUE(running) << "the restore never ran";
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  EXPECT_EQ(cmdline.find(signature), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("X-Amz-Signature=" + std::string(signature.size(), '*')),
            std::string::npos)
      << cmdline;
  EXPECT_EQ(cmdline.find(rig::env("RIG_TARGET_APP_PASSWORD")), std::string::npos) << cmdline;

  auto rc = child->wait();
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 0) << child->stderr_text();
  EXPECT_NE(child->stderr_text().find("a presigned URL on the command line"), std::string::npos)
      << child->stderr_text();
  EXPECT_NE(child->stderr_text().find("a password on the command line"), std::string::npos)
      << child->stderr_text();
}

// SQLSTATE 3D000 on connect: exit 13 (not found), as the README's table
// says, on the target and on the source, with the fix.
TEST(ProcessSecurity, MissingDatabaseExitsNotFound) {
  rig::ScratchDatabase source(rig::Server::kSource, "psec_nodb");
  rig::ScratchDatabase target(rig::Server::kTarget, "psec_nodb_t");
  std::string missing_target = target.url() + "_missing";
  std::string dir = scratch_dir("psec_nodb");
  std::map<std::string, std::string> env{{"PGSHUTTLE_STATE_DIR", dir + "/state"}};

  auto copy = rig::run_pgshuttle({"copy", source.url(), missing_target}, env);
  EXPECT_EQ(copy.exit_code, static_cast<int>(ErrorCode::kNotFound)) << copy.err;
  EXPECT_NE(copy.err.find(target.name() + "_missing\" does not exist"), std::string::npos)
      << copy.err;
  EXPECT_NE(copy.err.find("create the database first"), std::string::npos) << copy.err;

  auto check = rig::run_pgshuttle({"check", source.url(), missing_target}, env);
  EXPECT_EQ(check.exit_code, static_cast<int>(ErrorCode::kNotFound)) << check.err;

  auto inspect = rig::run_pgshuttle({"inspect", source.url() + "_missing"}, env);
  EXPECT_EQ(inspect.exit_code, static_cast<int>(ErrorCode::kNotFound)) << inspect.err;

  // A wrong password is still 10, not 13.
  std::string wrong = target.url();
  wrong.replace(wrong.find(rig::env("RIG_TARGET_APP_PASSWORD")),
                rig::env("RIG_TARGET_APP_PASSWORD").size(), "not-the-password");
  auto auth = rig::run_pgshuttle({"check", source.url(), wrong}, env);
  EXPECT_EQ(auth.exit_code, static_cast<int>(ErrorCode::kAuth)) << auth.err;
}

// A tablespace on a small tmpfs of the target server's own user, mounted for
// one test and removed with everything in it afterwards.
class TinyTablespace {
 public:
  explicit TinyTablespace(const std::string& size) {
    dir_ = scratch_dir("psec_tiny");
    struct stat st {};
    std::string data = rig::psql(rig::env("RIG_TARGET_ADMIN"), "SHOW data_directory");
    data.erase(data.find_last_not_of('\n') + 1);
    if (::stat(data.c_str(), &st) != 0) return;
    auto m = rig::run_program({"mount", "-t", "tmpfs", "-o",
                               "size=" + size + ",mode=0700,uid=" + std::to_string(st.st_uid) +
                                   ",gid=" + std::to_string(st.st_gid),
                               "tmpfs", dir_});
    if (m.exit_code != 0) return;
    mounted_ = true;
    name_ = rig::unique_name("psec_ts");
    rig::psql(rig::env("RIG_TARGET_ADMIN"),
              "CREATE TABLESPACE " + name_ + " LOCATION '" + dir_ + "'");
  }
  ~TinyTablespace() {
    if (!mounted_) return;
    rig::run_program(
        {"psql", "-q", rig::env("RIG_TARGET_ADMIN"), "-c", "DROP TABLESPACE IF EXISTS " + name_});
    rig::run_program({"umount", dir_});
  }
  bool mounted() const { return mounted_; }
  const std::string& name() const { return name_; }

 private:
  std::string dir_, name_;
  bool mounted_ = false;
};

// The target's disk fills up during a copy and during a restore (a database
// on a 24 MB tablespace, a 40 MB table): exit 11, and the hint names the
// database left half-written, instead of the generic "target failed" (4).
TEST(ProcessSecurity, TargetDiskFullExitsDiskFull) {
  TinyTablespace tiny("24m");
  if (!tiny.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  rig::ScratchDatabase source(rig::Server::kSource, "psec_full");
  rig::psql(source.admin_url(),
            "CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 3)::text) AS t "
            "FROM generate_series(1, 400000) g");
  std::string db = rig::unique_name("psec_full_t");
  std::string admin = rig::env("RIG_TARGET_ADMIN");
  rig::psql(admin, "CREATE DATABASE " + db + " OWNER " + rig::env("RIG_TARGET_APP_USER") +
                       " TABLESPACE " + tiny.name());
  std::string url = "postgresql://" + rig::env("RIG_TARGET_APP_USER") + ":" +
                    rig::env("RIG_TARGET_APP_PASSWORD") +
                    "@127.0.0.1:" + rig::env("RIG_TARGET_PORT") + "/" + db;
  std::string dir = scratch_dir("psec_full");
  std::map<std::string, std::string> env{{"PGSHUTTLE_STATE_DIR", dir + "/state"}};
  auto r = rig::run_pgshuttle({"copy", source.url(), url, "--jobs", "1"}, env);
  EXPECT_EQ(r.exit_code, static_cast<int>(ErrorCode::kDiskFull)) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("database " + db + " is left partially written"), std::string::npos)
      << r.err;

  // The same through restore's parallel path, into a fresh database.
  rig::run_program({"psql", "-q", admin, "-c", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"});
  rig::psql(admin, "CREATE DATABASE " + db + " OWNER " + rig::env("RIG_TARGET_APP_USER") +
                       " TABLESPACE " + tiny.name());
  auto backup = rig::run_pgshuttle({"backup", source.url(), "--to", dir + "/db.dump"}, env);
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  r = rig::run_pgshuttle({"restore", dir + "/db.dump", "--target", url, "--jobs", "1"}, env);
  rig::run_program({"psql", "-q", admin, "-c", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"});
  EXPECT_EQ(r.exit_code, static_cast<int>(ErrorCode::kDiskFull)) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the target " + db + " is left partially restored"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace pgshuttle
