// pgshuttle restore against the rig: dumps of the fixture and the sample
// databases restored into a target owned by the non-superuser `app` role,
// from a file, a presigned URL of the SigV4-verifying S3 server and s3://,
// then compared with the source (schema and every table's rows).
#include <thread>

#include "restore_rig.h"

namespace pgshuttle::restore::testing {
namespace {

using rig::ScratchDatabase;
using rig::Server;

TEST(Restore, FixtureFromFilePresignedUrlAndS3) {
  ScratchDatabase source(Server::kSource, "rs_fix");
  rig::load_fixture(source.admin_url());
  std::string archive = dump(source.admin_url(), "-Fc");
  std::string s3 = upload(archive, "fixture.dump");
  for (const std::string& from : {archive, presign(s3), s3}) {
    ScratchDatabase target(Server::kTarget, "rs_fix_t");
    auto r = restore(from, target.url(), {"--jobs", "2"});
    EXPECT_EQ(r.exit_code, 0) << from.substr(0, 40) << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("Completed"), std::string::npos) << r.out;
    expect_same(source.admin_url(), target.admin_url());
  }
}

TEST(Restore, SampleDatabasesFromFileAndUrl) {
  for (const std::string name : {"chinook", "northwind"}) {
    ScratchDatabase source(Server::kSource, "rs_" + name);
    rig::load_sample(source.admin_url(), name);
    std::string archive = dump(source.admin_url(), "-Fc");
    std::string url = presign(upload(archive, name + ".dump"));
    for (const std::string& from : {archive, url}) {
      ScratchDatabase target(Server::kTarget, "rs_" + name + "_t");
      auto r = restore(from, target.url());
      EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
      expect_same(source.admin_url(), target.admin_url());
    }
  }
}

TEST(Restore, TarArchiveAndGzippedPlainSql) {
  ScratchDatabase source(Server::kSource, "rs_fmt");
  rig::load_sample(source.admin_url(), "chinook");
  std::string tar = dump(source.admin_url(), "-Ft", ".tar");
  std::string sql = dump(source.admin_url(), "-Fp", ".sql");
  auto gz = rig::run_program({"gzip", "-k", sql});
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  for (const std::string& from : {tar, presign(upload(sql + ".gz", "chinook.sql.gz")), sql}) {
    ScratchDatabase target(Server::kTarget, "rs_fmt_t");
    auto r = restore(from, target.url());
    EXPECT_EQ(r.exit_code, 0) << from.substr(0, 40) << "\n" << r.out << r.err;
    expect_same(source.admin_url(), target.admin_url());
  }
}

class RestoreRefuses : public ::testing::Test {
 protected:
  void SetUp() override {
    rig::psql(source_.admin_url(),
              "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000) "
              "g; ALTER TABLE t ADD PRIMARY KEY (id)");
    archive_ = dump(source_.admin_url(), "-Fc");
  }
  // Asserts the target is as empty as before.
  void expect_untouched() { EXPECT_EQ(user_object_count(target_.url()), 0); }

  ScratchDatabase source_{Server::kSource, "rs_bad"};
  ScratchDatabase target_{Server::kTarget, "rs_bad_t"};
  std::string archive_;
};

TEST_F(RestoreRefuses, ExpiredUrl) {
  std::string url = presign(upload(archive_, "a.dump"), "1s");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto r = restore(url, target_.url());
  EXPECT_EQ(r.exit_code, 20) << r.err;
  EXPECT_NE(r.err.find("expired"), std::string::npos) << r.err;
  expect_untouched();
}

TEST_F(RestoreRefuses, TamperedUrl) {
  std::string url = presign(upload(archive_, "a.dump"));
  size_t sig = url.find("X-Amz-Signature=");
  ASSERT_NE(sig, std::string::npos);
  char& c = url[sig + 16];
  c = c == '0' ? '1' : '0';
  auto r = restore(url, target_.url());
  EXPECT_TRUE(r.exit_code == 22 || r.exit_code == 21) << r.exit_code << r.err;
  expect_untouched();
}

TEST_F(RestoreRefuses, MissingObject) {
  std::string s3 = upload(archive_, "a.dump");
  auto r = restore(s3 + ".missing", target_.url());
  EXPECT_EQ(r.exit_code, 24) << r.err;
  expect_untouched();
}

TEST_F(RestoreRefuses, TruncatedToc) {
  std::string cut = temp_path("cut.dump");
  auto r0 = rig::run_program({"sh", "-c", "head -c 600 \"$0\" > \"$1\"", archive_, cut});
  ASSERT_EQ(r0.exit_code, 0);
  auto r = restore(cut, target_.url());
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("nothing was restored"), std::string::npos) << r.err;
  expect_untouched();
}

TEST_F(RestoreRefuses, CorruptToc) {
  std::string bad = temp_path("bad.dump");
  auto r0 = rig::run_program(
      {"sh", "-c",
       "cp \"$0\" \"$1\" && printf 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' | "
       "dd of=\"$1\" bs=1 seek=200 conv=notrunc 2>/dev/null",
       archive_, bad});
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  auto r = restore(bad, target_.url());
  EXPECT_EQ(r.exit_code, 7) << r.err;
  expect_untouched();
}

TEST_F(RestoreRefuses, DataTruncatedNamesTable) {
  auto size = std::stoul(rig::run_program({"stat", "-c", "%s", archive_}).out);
  std::string cut = temp_path("cutdata.dump");
  auto r0 = rig::run_program(
      {"sh", "-c", "head -c " + std::to_string(size - 8000) + " \"$0\" > \"$1\"", archive_, cut});
  ASSERT_EQ(r0.exit_code, 0);
  auto r = restore(cut, target_.url(), {"--jobs", "1"});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_NE(r.err.find("public.t"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("left partially restored"), std::string::npos) << r.err;
}

TEST_F(RestoreRefuses, ExtensionTargetCannotInstall) {
  // file_fdw is not trusted: the non-superuser target role cannot create it.
  rig::psql(source_.admin_url(), "CREATE EXTENSION file_fdw");
  std::string archive = dump(source_.admin_url(), "-Fc");
  auto r = restore(archive, target_.url());
  EXPECT_EQ(r.exit_code, 31) << r.err;
  EXPECT_NE(r.err.find("file_fdw"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("offers: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hstore"), std::string::npos) << r.err;
  expect_untouched();
  auto r2 = restore(archive_, target_.url(), {"--extensions", "no_such_extension"});
  EXPECT_EQ(r2.exit_code, 31) << r2.err;
  expect_untouched();
}

TEST_F(RestoreRefuses, NonEmptyTargetNeedsCleanAndConfirm) {
  rig::psql(target_.url(), "CREATE TABLE keep_me (id int); INSERT INTO keep_me VALUES (1)");
  for (const auto& extra : std::vector<std::vector<std::string>>{
           {}, {"--clean"}, {"--confirm", target_.name()}, {"--clean", "--confirm", "wrong"}}) {
    auto r = restore(archive_, target_.url(), extra);
    EXPECT_EQ(r.exit_code, 30) << r.err;
    EXPECT_NE(r.err.find("--confirm " + target_.name()), std::string::npos) << r.err;
    EXPECT_EQ(rig::psql(target_.url(), "SELECT count(*) FROM keep_me"), "1");
  }
  auto r = restore(archive_, target_.url(), {"--clean", "--confirm", target_.name()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(rig::psql(target_.url(), "SELECT to_regclass('keep_me') IS NULL"), "t");
  expect_same(source_.admin_url(), target_.admin_url());
}

TEST(Restore, TargetConnectionKilledMidRestoreFailsWithoutRetry) {
  ScratchDatabase source(Server::kSource, "rs_kill");
  rig::load_fixture(source.admin_url(), 4);
  std::string archive = dump(source.admin_url(), "-Fc");
  ScratchDatabase target(Server::kTarget, "rs_kill_t");
  std::atomic<bool> done{false};
  std::atomic<int> killed{0};
  std::thread killer([&] {
    while (!done && killed == 0) {
      killed = std::stoi(rig::psql(
          target.admin_url(),
          "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
          "datname = current_database() AND application_name = 'pg_restore' AND "
          "query ILIKE 'COPY%') k"));
    }
  });
  auto r = restore(archive, target.url(), {"--jobs", "1"});
  done = true;
  killer.join();
  ASSERT_GT(killed.load(), 0) << "the restore finished before a COPY could be interrupted";
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("not retried"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("left partially restored"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pgshuttle::restore::testing
