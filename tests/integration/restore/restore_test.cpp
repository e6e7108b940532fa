// pgshuttle restore against the rig: dumps of the fixture and the sample
// databases restored into a target owned by the non-superuser `app` role,
// from a file, a presigned URL of the SigV4-verifying S3 server and s3://,
// then compared with the source (schema and every table's rows).
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/subprocess.h"
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

// An event trigger needs a superuser; the target's role is none. In every
// archive format and both restore paths (ranged and sequential) the trigger
// and its comment are left out with one warning each, and everything else
// arrives.
TEST(Restore, EventTriggersAreLeftOutWithAWarningInEveryArchiveFormat) {
  ScratchDatabase source(Server::kSource, "rs_evt");
  rig::psql(source.admin_url(),
            "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 500) g;"
            "COMMENT ON TABLE t IS 'kept';"
            "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS "
            "$$BEGIN RAISE NOTICE 'ddl'; END$$;"
            "CREATE EVENT TRIGGER evt_watch ON ddl_command_end EXECUTE FUNCTION on_ddl();"
            "COMMENT ON EVENT TRIGGER evt_watch IS 'watches ddl'");
  std::string dir = temp_path("archive.dir");
  auto d = rig::run_program({"pg_dump", "-Fd", "-f", dir, "-d", source.admin_url()});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  for (const std::string& from :
       {dump(source.admin_url(), "-Fc"), dump_without_offsets(source.admin_url()),
        dump(source.admin_url(), "-Ft", ".tar"), dir}) {
    ScratchDatabase target(Server::kTarget, "rs_evt_t");
    auto r = restore(from, target.url());
    EXPECT_EQ(r.exit_code, 12) << from << "\n" << r.out << r.err;
    std::string all = r.out + r.err;
    EXPECT_NE(all.find("skipped EVENT TRIGGER evt_watch: event triggers need a superuser"),
              std::string::npos)
        << from << "\n"
        << all;
    EXPECT_NE(all.find("skipped COMMENT EVENT TRIGGER evt_watch"), std::string::npos) << all;
    EXPECT_EQ(rig::psql(target.admin_url(), "SELECT count(*) FROM pg_event_trigger"), "0");
    EXPECT_EQ(rig::psql(target.admin_url(), "SELECT count(*) FROM t"), "500") << from;
    EXPECT_EQ(rig::psql(target.admin_url(), "SELECT obj_description('t'::regclass)"), "kept");
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

// The archive's size is checked against its TOC's data offsets before the
// target is touched (issue 16): the cut is found up front, not mid-table.
TEST_F(RestoreRefuses, DataTruncatedNamesTable) {
  auto size = std::stoul(rig::run_program({"stat", "-c", "%s", archive_}).out);
  std::string cut = temp_path("cutdata.dump");
  auto r0 = rig::run_program(
      {"sh", "-c", "head -c " + std::to_string(size - 8000) + " \"$0\" > \"$1\"", archive_, cut});
  ASSERT_EQ(r0.exit_code, 0);
  auto r = restore(cut, target_.url(), {"--jobs", "1"});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_NE(r.err.find("public.t"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was restored"), std::string::npos) << r.err;
  expect_untouched();
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

// Terminates the first target backend of `application` that runs a COPY.
class CopyKiller {
 public:
  CopyKiller(const std::string& admin_url, const std::string& application)
      : thread_([this, admin_url, application] {
          while (!done_ && killed_ == 0) {
            killed_ = std::stoi(rig::psql(
                admin_url,
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = '" +
                    application + "' AND query ILIKE 'COPY%') k"));
          }
        }) {}
  int stop() {
    done_ = true;
    thread_.join();
    return killed_;
  }

 private:
  std::atomic<bool> done_{false};
  std::atomic<int> killed_{0};
  std::thread thread_;
};

TEST(Restore, TargetConnectionKilledMidTableIsRetriedAndTheRunCompletes) {
  ScratchDatabase source(Server::kSource, "rs_kill");
  rig::load_fixture(source.admin_url(), 4);
  std::string archive = dump(source.admin_url(), "-Fc");
  ScratchDatabase target(Server::kTarget, "rs_kill_t");
  CopyKiller killer(target.admin_url(), "pgshuttle");
  auto r = restore(archive, target.url(), {"--jobs", "2"},
                   {{"PGSHUTTLE_FAULTS", "sleep=40@restore:chunk"}});
  ASSERT_GT(killer.stop(), 0) << "the restore finished before a COPY could be interrupted";
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("retrying on a new session"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("retried after a lost connection"), std::string::npos) << r.out;
  expect_same(source.admin_url(), target.admin_url());
}

// bench/tools/slowlink.py between the restore and S3, for one test.
class SlowLink {
 public:
  SlowLink(int mbit, int rtt_ms) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::close(fd);
    std::string s3 = rig::env("S3_ENDPOINT");
    log_ = temp_path("slowlink.log");
    pid_ = ::fork();
    if (pid_ == 0) {
      int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out, 1);
      ::dup2(out, 2);
      std::string script = rig::source_dir() + "/bench/tools/slowlink.py";
      std::string target = s3.substr(s3.find("//") + 2);
      ::execlp("python3", "python3", script.c_str(), std::to_string(port_).c_str(), target.c_str(),
               std::to_string(mbit).c_str(), std::to_string(rtt_ms).c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 100 && rig::read_file(log_).find("ready") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~SlowLink() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool ready() const { return rig::read_file(log_).find("ready") != std::string::npos; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string log_;
};

// Over a slow link the load that the slowest index build (the GiST index on
// shop.orders) waits for streams alone, and one worker keeps loading while
// the other builds; the result is the same.
TEST(Restore, OverASlowLinkTheGistTablesDataStreamsFirstAndAlone) {
  ScratchDatabase source(Server::kSource, "rs_link");
  rig::load_fixture(source.admin_url(), 4);
  std::string s3 = upload(dump(source.admin_url(), "-Fc"), "fixture.dump");
  SlowLink link(2, 20);
  ASSERT_TRUE(link.ready());
  auto url =
      rig::run_pgshuttle({"url", s3, "--expires", "10m", "--endpoint", link.endpoint()}, s3_env());
  ASSERT_EQ(url.exit_code, 0) << url.err;
  url.out.erase(url.out.find_last_not_of('\n') + 1);
  ScratchDatabase target(Server::kTarget, "rs_link_t");
  auto r = restore(url.out, target.url(), {"--jobs", "2", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("the archive arrives slower than the target takes it"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("TABLE DATA shop.orders streams alone"), std::string::npos) << r.err;
  // Loaded first: its line comes before any other table's.
  size_t loaded = r.err.find("loaded TABLE DATA ");
  ASSERT_NE(loaded, std::string::npos) << r.err;
  EXPECT_EQ(r.err.compare(loaded, 35, "loaded TABLE DATA shop.orders: 8000"), 0) << r.err;
  expect_same(source.admin_url(), target.admin_url());
}

// Issue 20: the load that the GiST build waits for (shop.orders) is split
// across both sessions: its rows are read once and dealt out to two COPYs,
// each its own transaction (two inserting transaction ids on the target,
// where one load has one). The result is the same; after a kill -9 in the
// middle of that load, one re-run of the same command clears what the
// killed run wrote and restores again.
TEST(Restore, ASplitLoadMatchesTheSourceAndResumesAfterAKill) {
  ScratchDatabase source(Server::kSource, "rs_split");
  rig::load_fixture(source.admin_url(), 4);
  std::string archive = dump(source.admin_url(), "-Fc");
  const std::vector<std::string> args{"--jobs", "2", "--split-larger-than", "1K", "-v"};
  ScratchDatabase target(Server::kTarget, "rs_split_t");
  auto r = restore(archive, target.url(), args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("TABLE DATA shop.orders: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("split across 2 sessions (the slowest index build waits for it)"),
            std::string::npos)
      << r.err;
  const std::string writers = "SELECT count(DISTINCT xmin::text) FROM shop.";
  EXPECT_EQ(rig::psql(target.admin_url(), writers + "orders"), "2");
  EXPECT_EQ(rig::psql(target.admin_url(), writers + "order_lines"), "1") << "not split";
  expect_same(source.admin_url(), target.admin_url());

  ScratchDatabase killed(Server::kTarget, "rs_split_k");
  auto k = restore(archive, killed.url(), args, {{"PGSHUTTLE_FAULTS", "kill@restore:chunk"}});
  ASSERT_EQ(k.exit_code, 128 + SIGKILL) << k.err;
  auto again = restore(archive, killed.url(), args);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  expect_same(source.admin_url(), killed.admin_url());
}

// Over loopback the archive is never what the restore waits for.
TEST(Restore, OverLoopbackNoLoadIsHeldBack) {
  ScratchDatabase source(Server::kSource, "rs_loop");
  rig::load_fixture(source.admin_url(), 4);
  std::string archive = dump(source.admin_url(), "-Fc");
  ScratchDatabase target(Server::kTarget, "rs_loop_t");
  auto r = restore(archive, target.url(), {"--jobs", "2", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("arrives slower"), std::string::npos) << r.err;
}

TEST(Restore, SequentialRestoreKilledMidTableFailsAndSaysItWasNotRetried) {
  ScratchDatabase source(Server::kSource, "rs_killseq");
  rig::load_fixture(source.admin_url(), 4);
  std::string archive = dump_without_offsets(source.admin_url());
  ASSERT_GT(rig::read_file(archive).size(), 1000u) << "pg_dump wrote no archive";
  ScratchDatabase target(Server::kTarget, "rs_killseq_t");
  CopyKiller killer(target.admin_url(), "pg_restore");
  // --jobs 1: one stream fed into pg_restore (with more, pg_restore -j reads the file itself).
  auto r = restore(archive, target.url(), {"--jobs", "1"},
                   {{"PGSHUTTLE_FAULTS", "sleep=15@restore:chunk"}});
  ASSERT_GT(killer.stop(), 0) << "the restore finished before a COPY could be interrupted\n"
                              << r.out << r.err;
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("not retried"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("left partially restored"), std::string::npos) << r.err;
}

TEST(Restore, IsATransferRestoresABackupByIdAndVerifiesAgainstItsSource) {
  ScratchDatabase source(Server::kSource, "rs_byid");
  rig::load_sample(source.admin_url(), "chinook");
  std::string s3 = upload(dump(source.admin_url(), "-Fc"), "unused.dump");
  std::string key = s3.substr(0, s3.rfind('/')) + "/byid.dump";
  auto b = rig::run_pgshuttle(
      {"backup", source.admin_url(), "--to", key, "--sse", "none", "--json"}, tool_env());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string backup_id = nlohmann::json::parse(b.out).at("id");
  ScratchDatabase target(Server::kTarget, "rs_byid_t");
  auto r = restore(backup_id, target.url(), {"--json", "--verify-against", source.admin_url()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto out = nlohmann::json::parse(r.out);
  EXPECT_TRUE(out.at("verify").at("passed").get<bool>()) << r.out;
  EXPECT_EQ(out.at("verify").at("id").get<std::string>()[0], 'v');
  std::string id = out.at("id");
  EXPECT_EQ(id[0], 'r');
  EXPECT_TRUE(out.at("parallel").get<bool>());
  EXPECT_GT(out.at("tables_verified").get<int>(), 5);
  expect_same(source.admin_url(), target.admin_url());
  auto info = rig::run_pgshuttle({"info", id, "--json"}, tool_env());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j.at("status"), "Completed");
  EXPECT_NE(j.at("source").get<std::string>().find("byid.dump"), std::string::npos);
  auto logs = rig::run_pgshuttle({"logs", id}, tool_env());
  EXPECT_NE(logs.out.find("row counts of"), std::string::npos) << logs.out;
}

TEST(Restore, VerifyAgainstASourceThatChangedSinceTheBackupFails) {
  ScratchDatabase source(Server::kSource, "rs_vdiff");
  rig::load_sample(source.admin_url(), "northwind");
  std::string archive = dump(source.admin_url(), "-Fc");
  rig::psql(source.admin_url(), "DELETE FROM order_details WHERE order_id = 10248");
  ScratchDatabase target(Server::kTarget, "rs_vdiff_t");
  auto r = restore(archive, target.url(), {"--verify-against", source.admin_url()});
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.out.find("order_details"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("differences between the source and the restored database"),
            std::string::npos)
      << r.err;
}

TEST(Restore, CancelFromAnotherTerminalStopsTheRestore) {
  ScratchDatabase source(Server::kSource, "rs_cancel");
  rig::load_fixture(source.admin_url(), 4);
  std::string archive = dump(source.admin_url(), "-Fc");
  ScratchDatabase target(Server::kTarget, "rs_cancel_t");
  std::atomic<bool> done{false};
  std::string cancelled_id;
  std::thread canceller([&] {
    // Cancel the restore as soon as it loads data.
    while (!done) {
      auto list = rig::run_pgshuttle({"transfers", "--json"}, tool_env());
      auto all = nlohmann::json::parse(list.out.empty() ? "[]" : list.out);
      for (const auto& t : all) {
        if (t.at("status") != "Running" || t.at("id").get<std::string>()[0] != 'r') continue;
        int copying = std::stoi(rig::psql(target.admin_url(),
                                          "SELECT count(*) FROM pg_stat_activity WHERE "
                                          "datname = current_database() AND query ILIKE 'COPY%'"));
        if (copying == 0) continue;
        cancelled_id = t.at("id");
        rig::run_pgshuttle({"cancel", cancelled_id}, tool_env());
        return;
      }
    }
  });
  auto r = restore(archive, target.url(), {"--jobs", "2"},
                   {{"PGSHUTTLE_FAULTS", "sleep=40@restore:chunk"}});
  done = true;
  canceller.join();
  ASSERT_FALSE(cancelled_id.empty()) << "the restore ended before it could be cancelled";
  EXPECT_EQ(r.exit_code, 9) << r.out << r.err;
  auto info = rig::run_pgshuttle({"info", cancelled_id, "--json"}, tool_env());
  EXPECT_EQ(nlohmann::json::parse(info.out).at("status"), "Cancelled") << info.out;
}

// A server (or a proxy in between) that sends a malformed Content-Range:
// the restore fails with a storage error (exit 5) naming it, before the
// target is touched, and its transfer is recorded Failed, not left Running
// by an aborted process.
TEST(Restore, AMalformedContentRangeFailsWithAStorageErrorAndIsRecordedFailed) {
  SubprocessOptions o;
  o.argv = {"python3", rig::source_dir() + "/tests/rig/bad-range-server.py"};
  o.capture_stdout = true;
  auto server = Subprocess::spawn(o);
  ASSERT_TRUE(server.ok());
  std::string line(64, '\0');
  auto n = server->read_stdout(line.data(), line.size());
  ASSERT_TRUE(n.ok() && *n > 6) << "the test server did not start";
  line.resize(*n);
  std::string port = line.substr(6, line.find('\n') - 6);
  ScratchDatabase target(Server::kTarget, "rs_badrange_t");
  auto r = restore("http://127.0.0.1:" + port + "/archive.dump", target.url(), {"--json"});
  server->kill(SIGTERM);
  (void)server->wait();
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("malformed Content-Range"), std::string::npos) << r.err;
  auto list = rig::run_pgshuttle({"transfers", "--json"}, tool_env());
  auto all = nlohmann::json::parse(list.out.empty() ? "[]" : list.out);
  std::string status;
  for (const auto& t : all) {
    if (t.at("id").get<std::string>()[0] == 'r' &&
        t.at("source").get<std::string>().find("127.0.0.1:" + port) != std::string::npos) {
      status = t.at("status");
    }
  }
  EXPECT_EQ(status, "Failed") << list.out;
  EXPECT_EQ(rig::psql(target.admin_url(),
                      "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
            "0");
}

}  // namespace
}  // namespace pgshuttle::restore::testing
