// pgshuttle copy against the rig: samples and the fixture copied into a
// target database owned by the non-superuser application role must have the
// same schema (sorted pg_dump --schema-only --no-owner --no-acl), the same
// rows in every table, the same sequence values and large objects. Runs
// killed with SIGKILL at several points, and a copy connection terminated
// mid-table, must still end identical to the source. Each run is a registry
// transfer (c001 ...) that `copy --resume` continues and `cancel` stops; the
// automatic verify at the end is a transfer too (v001 ...).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

#include "copy_rig.h"
#include "core/subprocess.h"
#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

void expect_identical(const rig::ScratchDatabase& src, const rig::ScratchDatabase& dst) {
  rig::expect_identical(src.admin_url(), dst.admin_url());
}

nlohmann::json transfer(const std::string& dir, const std::string& id) {
  auto r = rig::run_pgshuttle({"--state-dir", dir, "info", id, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

class CopySample : public ::testing::TestWithParam<std::string> {};

TEST_P(CopySample, IdenticalInNonSuperuserTarget) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_sample(src.url(), GetParam());
  auto r = copy(src, dst, state_dir(), {"--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_identical(src, dst);
}

INSTANTIATE_TEST_SUITE_P(Samples, CopySample, ::testing::Values("northwind", "chinook"));

TEST(Copy, FixtureIdenticalWithSplitTables) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  // Split everything above 64 kB so the ctid range path runs too.
  auto dir = state_dir();
  auto r = copy(src, dst, dir, {"--jobs", "3", "--split-larger-than", "64kB", "--json"});
  EXPECT_EQ(r.exit_code == 0 || r.exit_code == 12, true) << r.out << r.err;
  expect_identical(src, dst);
  // The automatic verify ran, passed, and is recorded next to the copy.
  auto summary = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << r.out;
  EXPECT_EQ(summary["id"], "c001");
  EXPECT_EQ(summary["verify"]["passed"], true) << r.out;
  EXPECT_EQ(summary["verify"]["id"], "v001");
  for (const std::string id : {"c001", "v001"}) {
    auto t = transfer(dir, id);
    std::string status = t.value("status", "");
    EXPECT_TRUE(status == "Completed" || status.rfind("Finished with", 0) == 0) << t.dump();
    EXPECT_EQ(t.value("source", "").find("srcpass"), std::string::npos) << t.dump();
  }
  EXPECT_GT(transfer(dir, "c001").value("bytes", 0), 0);
}

TEST(Copy, NoVerifySkipsTheVerify) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_sample(src.url(), "northwind");
  auto dir = state_dir();
  auto r = copy(src, dst, dir, {"--no-verify", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << r.out;
  EXPECT_FALSE(summary.contains("verify")) << r.out;
  auto list = rig::run_pgshuttle({"--state-dir", dir, "transfers", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto all = nlohmann::json::parse(list.out);
  ASSERT_EQ(all.size(), 1u) << list.out;
  EXPECT_EQ(all[0]["id"], "c001");
}

// The copy matches the source's snapshot at its start; rows written to the
// source during the copy are not in it, so the verify at the end, which
// reads the live source, finds them and says that this is the likely cause.
TEST(Copy, SourceWrittenDuringCopyFailsVerifyWithTheReason) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_sample(src.url(), "northwind");
  psql(src.url(), "CREATE TABLE written (id serial PRIMARY KEY, at timestamptz DEFAULT now())");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) {
      psql(src.url(), "INSERT INTO written DEFAULT VALUES");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  auto r = copy(src, dst, state_dir(), {"--jobs", "2"},
                {{"PGSHUTTLE_FAULTS", "sleep=3000@copy:done:started"}});
  stop = true;
  writer.join();
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("source written during"), std::string::npos) << r.err;
}

TEST(Copy, RefusesNonEmptyTargetWithoutConfirm) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_sample(src.url(), "northwind");
  psql(dst.url(), "CREATE TABLE keep_me (id int)");
  auto dir = state_dir();
  auto r = copy(src, dst, dir);
  EXPECT_EQ(r.exit_code, 30) << r.err;
  EXPECT_NE(r.err.find("--confirm " + dst.name()), std::string::npos) << r.err;
  r = copy(src, dst, dir, {"--clean", "--confirm", dst.name()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_identical(src, dst);
}

// --data-only into an existing schema with foreign keys: the keys are taken
// off for the load (TRUNCATE of a referenced table and the load order need
// it; a non-superuser cannot disable their triggers) and come back
// validated, including a key on a partitioned table and one referencing a
// partitioned table. Insert triggers do not fire. Tables that hold rows need
// --confirm. A run killed mid-table still puts every key back when resumed.
TEST(Copy, DataOnlyIntoSchemaWithForeignKeys) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  psql(src.admin_url(),
       "CREATE TABLE shop.order_tags (order_id bigint NOT NULL REFERENCES shop.orders (id), "
       "  tag text NOT NULL) PARTITION BY LIST (tag);"
       "CREATE TABLE shop.order_tags_all PARTITION OF shop.order_tags DEFAULT;"
       "INSERT INTO shop.order_tags SELECT id, 'tag' || (id % 3) FROM shop.orders WHERE id % 5 = 0;"
       "CREATE TABLE shop.event_notes (event_id bigint NOT NULL, happened_at timestamptz NOT "
       "  NULL, note text, FOREIGN KEY (event_id, happened_at) REFERENCES shop.events);"
       "INSERT INTO shop.event_notes SELECT id, happened_at, kind FROM shop.events LIMIT 50;"
       // Insert triggers must not fire for rows that already went through
       // them on the source (one of them enabled ALWAYS, which stays so).
       "CREATE FUNCTION shop.no_insert() RETURNS trigger LANGUAGE plpgsql AS "
       "  $$ BEGIN RAISE EXCEPTION 'insert trigger fired on %', TG_TABLE_NAME; END $$;"
       "CREATE TRIGGER notes_no_insert BEFORE INSERT ON shop.notes "
       "  FOR EACH ROW EXECUTE FUNCTION shop.no_insert();"
       "CREATE TRIGGER orders_no_insert BEFORE INSERT ON shop.orders "
       "  FOR EACH ROW EXECUTE FUNCTION shop.no_insert();"
       "ALTER TABLE shop.orders ENABLE ALWAYS TRIGGER orders_no_insert;");
  auto dir = state_dir();
  auto r = copy(src, dst, dir, {"--schema-only"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string fks =
      "SELECT conrelid::regclass, conname, convalidated FROM pg_constraint "
      "WHERE contype = 'f' ORDER BY 1, 2";
  std::string keys_before = psql(dst.admin_url(), fks);
  std::string triggers =
      "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1";
  std::string triggers_before = psql(dst.admin_url(), triggers);
  ASSERT_NE(triggers_before.find("orders_no_insert|A"), std::string::npos) << triggers_before;
  ASSERT_NE(keys_before.find("order_tags"), std::string::npos) << keys_before;

  r = copy(src, dst, dir, {"--data-only", "--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("taking off"), std::string::npos) << r.err;
  expect_identical(src, dst);
  EXPECT_EQ(psql(dst.admin_url(), fks), keys_before);
  EXPECT_EQ(psql(dst.admin_url(), triggers), triggers_before);

  // Again: the tables hold rows now, which --data-only would replace.
  r = copy(src, dst, dir, {"--data-only"});
  EXPECT_EQ(r.exit_code, 30) << r.err;
  EXPECT_NE(r.err.find("--confirm " + dst.name()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("shop."), std::string::npos) << r.err;

  // Killed mid-table with the keys off (run c004: the refused c003 wrote
  // nothing, so it is not continued), then resumed: all keys are back.
  r = copy(src, dst, dir, {"--data-only", "--jobs", "2", "--no-verify", "--confirm", dst.name()},
           {{"PGSHUTTLE_FAULTS", "kill@copy:stream:shop.order_lines"}});
  ASSERT_EQ(r.exit_code, 128 + 9) << "kill point not reached: " << r.err;
  EXPECT_EQ(psql(dst.admin_url(),
                 "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                 "AND conname = 'order_lines_order_id_fkey'"),
            "0");
  // A fresh run would not know the keys that c004 took off: refused.
  r = copy(src, dst, dir, {"--data-only", "--clean", "--confirm", dst.name()});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("copy c004"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--resume c004"), std::string::npos) << r.err;
  r = copy(src, dst, dir,
           {"--data-only", "--jobs", "2", "--resume", "c004", "--allow-inconsistent-resume"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  expect_identical(src, dst);
  EXPECT_EQ(psql(dst.admin_url(), fks), keys_before);
}

// Kills the run at `point`, checks that a plain resume is refused (the
// snapshot is gone), resumes with the flag and compares.
void kill_and_resume(const std::string& point) {
  SCOPED_TRACE(point);
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  auto dir = state_dir();
  auto r = copy(src, dst, dir, {"--jobs", "2", "--no-verify"},
                {{"PGSHUTTLE_FAULTS", "kill@copy:" + point}});
  ASSERT_EQ(r.exit_code, 128 + 9) << "kill point not reached: " << r.err;
  // kill -9 left the transfer Running with a dead pid, which the registry
  // shows as Failed; the same command continues it, and refuses because the
  // snapshot is gone.
  EXPECT_EQ(transfer(dir, "c001")["status"], "Failed");
  r = copy(src, dst, dir, {"--jobs", "2", "--no-verify"});
  ASSERT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("--allow-inconsistent-resume"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("continuing copy c001 of these databases: it was interrupted"),
            std::string::npos)
      << r.err;
  r = copy(src, dst, dir,
           {"--jobs", "2", "--no-verify", "--resume", "c001", "--allow-inconsistent-resume"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.err;
  EXPECT_NE(r.out.find("copy c001 (resumed; this run):"), std::string::npos) << r.out;
  EXPECT_EQ(transfer(dir, "c001")["status"].get<std::string>().find("Running"), std::string::npos);
  expect_identical(src, dst);
}

TEST(CopyResume, KilledDuringSchema) { kill_and_resume("schema:20"); }

// After a kill, --clean --confirm starts a new run (c002) instead of
// continuing the interrupted one, whose snapshot is gone.
TEST(CopyResume, CleanStartsOverInsteadOfResuming) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  auto dir = state_dir();
  auto r = copy(src, dst, dir, {"--no-verify"}, {{"PGSHUTTLE_FAULTS", "kill@copy:schema:20"}});
  ASSERT_EQ(r.exit_code, 128 + 9) << r.err;
  r = copy(src, dst, dir, {"--no-verify", "--clean", "--confirm", dst.name()});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.err;
  EXPECT_NE(r.out.find("copy c002:"), std::string::npos) << r.out;
  expect_identical(src, dst);
}
TEST(CopyResume, KilledMidTable) { kill_and_resume("stream:shop.order_lines"); }
TEST(CopyResume, KilledAfterTableBeforeIndexes) { kill_and_resume("done:table:shop.orders"); }
// Killed after a primary key was committed, before it was recorded: the
// resumed run adds it again, which the server refuses as "multiple primary
// keys" (42P16), not "already exists" (sync's resumed copy met it once).
TEST(CopyResume, KilledAfterAPrimaryKeyBeforeItWasRecorded) {
  kill_and_resume("record:post:CONSTRAINT inventory stock stock_pkey");
}
TEST(CopyResume, KilledDuringIndexBuilds) {
  kill_and_resume("done:post:INDEX shop orders_customer_idx");
}

// kill -9 while the target still builds an index: the killed run's server
// session goes on and would commit that index under the resumed run (the
// issue saw "duplicate key ... pg_class_relname_nsp_index"). With the
// source read-only (maintenance on) since the first run, the same command
// resumes in one go: no --allow-inconsistent-resume, the orphan ended first.
TEST(CopyResume, OneRerunAfterKillDuringAnIndexBuildOfAReadOnlySource) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  // An index whose build is slow only in pgshuttle's sessions (about 6 s).
  psql(src.url(),
       "CREATE FUNCTION public.slow_id(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ "
       "BEGIN IF current_setting('application_name') LIKE 'pgshuttle copy%' THEN "
       "PERFORM pg_sleep(0.02); END IF; RETURN i; END $$; "
       "CREATE TABLE public.slow_rows AS SELECT g AS id FROM generate_series(1, 300) g; "
       "CREATE INDEX slow_rows_idx ON public.slow_rows (public.slow_id(id))");
  auto fence = rig::run_pgshuttle({"maintenance", "on", src.url()});
  ASSERT_EQ(fence.exit_code, 0) << fence.err;
  auto dir = state_dir();
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "copy", src.url(), dst.url(), "--jobs", "2",
            "--no-verify"};
  o.inherit = {"*"};
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok()) << child.error().to_string();
  bool building = false;
  for (int i = 0; i < 600 && !building; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    building =
        psql(dst.admin_url(),
             "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND "
             "application_name LIKE 'pgshuttle copy%' AND query LIKE '%slow_rows_idx%'") == "1";
  }
  ASSERT_TRUE(building) << "the index build was not seen";
  child->kill(SIGKILL);
  (void)child->wait();
  auto r = copy(src, dst, dir, {"--jobs", "2", "--no-verify"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  EXPECT_NE(r.out.find("copy c001 (resumed; this run):"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("read-only (maintenance mode) since"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("session(s) of the interrupted run"), std::string::npos) << r.err;
  // The re-run's own backends end just after it exits: allow them a moment.
  std::string left = "?";
  for (int i = 0; i < 50 && left != "0"; ++i) {
    left = psql(dst.admin_url(),
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                "'pgshuttle copy%'");
    if (left != "0") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(left, "0");
  auto off = rig::run_pgshuttle({"maintenance", "off", src.url()});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  expect_identical(src, dst);
}

// Cancelled (not crashed): the hint names every flag the resume needs.
TEST(CopyResume, CancelHintNamesTheFlagTheResumeNeeds) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  auto dir = state_dir();
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "copy", src.url(), dst.url(), "--no-verify"};
  o.inherit = {"*"};
  o.env["PGSHUTTLE_FAULTS"] = "sleep=3000@copy:schema:20";
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(child->pid(), SIGINT);  // Ctrl-C reaches pgshuttle, not its pg_dump
  auto status = child->wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 9) << child->stderr_text();
  EXPECT_NE(child->stderr_text().find("--resume c001 SOURCE TARGET --allow-inconsistent-resume"),
            std::string::npos)
      << child->stderr_text();
  auto r = copy(src, dst, dir, {"--no-verify", "--resume", "c001", "--allow-inconsistent-resume"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  // Said as it happened: cancelled, not "interrupted" (issue 16 item 11).
  EXPECT_NE(r.err.find("continuing copy c001: it was cancelled"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("interrupted"), std::string::npos) << r.err;
  expect_identical(src, dst);
}

// The closing verify cut short (its source sessions terminated) leaves c001
// Completed: the same command verifies again and copies nothing.
TEST(CopyResume, InterruptedClosingVerifyIsAllThatRunsAgain) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_sample(src.url(), "northwind");
  auto dir = state_dir();
  std::atomic<bool> stop{false};
  std::thread terminator([&] {
    while (!stop) {
      psql(src.admin_url(),
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           "WHERE application_name = 'pgshuttle verify' AND datname = current_database()");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  auto r = copy(src, dst, dir);
  stop = true;
  terminator.join();
  ASSERT_NE(r.exit_code, 0) << r.out << r.err;
  ASSERT_NE(r.exit_code, 6) << r.out << r.err;  // no result: the verify did not finish
  EXPECT_EQ(transfer(dir, "c001")["status"], "Completed");
  r = copy(src, dst, dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("verifying again"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("copy c001: verified again"), std::string::npos) << r.out;
  auto list = rig::run_pgshuttle({"--state-dir", dir, "transfers", "--json"});
  auto j = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << list.out;
  int copies = 0;
  for (const auto& t : j) copies += t["id"].get<std::string>().rfind("c", 0) == 0;
  EXPECT_EQ(copies, 1) << list.out;
  // Verified now: a third run is a new copy, refused on a non-empty target.
  r = copy(src, dst, dir);
  EXPECT_EQ(r.exit_code, 30) << r.out << r.err;
  expect_identical(src, dst);
}

// kill -9 after the copy recorded itself Completed and before its closing
// verify started: the same command only verifies. Before, the verify was
// recorded as pending only once it started, so the re-run began a new copy
// and stopped at the non-empty target (exit 30).
TEST(CopyResume, KilledBetweenCompletingAndVerifyingOnlyVerifiesAgain) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_sample(src.url(), "northwind");
  auto dir = state_dir();
  auto r = copy(src, dst, dir, {}, {{"PGSHUTTLE_FAULTS", "kill@copy:completed"}});
  ASSERT_EQ(r.exit_code, 128 + 9) << "kill point not reached: " << r.err;
  EXPECT_EQ(transfer(dir, "c001")["status"], "Completed");
  r = copy(src, dst, dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("verifying again"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("copy c001: verified again"), std::string::npos) << r.out;
  expect_identical(src, dst);
}

// The coordinator's own target session, terminated while it applies the
// remaining post-data items alone (the workers are done), is replaced.
TEST(CopyFaults, TerminatedCoordinatorSessionIsRetried) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  std::atomic<bool> stop{false};
  std::atomic<int> ended{0};
  std::thread terminator([&] {
    // The pause (3 s) after the first serial item: only the coordinator is
    // connected to the target then.
    while (!stop && ended == 0) {
      std::string n = psql(dst.admin_url(),
                           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE application_name LIKE 'pgshuttle copy%' AND state = 'idle' "
                           "AND datname = current_database() AND query LIKE '%stock_pkey%'");
      ended = std::stoi("0" + n.substr(0, n.find_first_not_of("0123456789")));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  auto r = copy(
      src, dst, state_dir(), {"--jobs", "2", "--json", "--no-verify"},
      {{"PGSHUTTLE_FAULTS", "sleep=3000@copy:done:post:CONSTRAINT inventory stock stock_pkey"}});
  stop = true;
  terminator.join();
  EXPECT_GE(ended.load(), 1) << "the coordinator was not terminated";
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.err;
  EXPECT_NE(r.err.find("remaining post-data: retrying on a new session"), std::string::npos)
      << r.err;
  expect_identical(src, dst);
}

TEST(CopyFaults, TerminatedConnectionIsRetried) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url(), 4);
  // Slow the source COPY down so the terminator finds it running.
  std::string app = rig::unique_name("copyapp");
  std::thread killer([&] {
    for (int i = 0; i < 400; ++i) {
      std::string n = psql(src.admin_url(),
                           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND query LIKE 'COPY (SELECT%' "
                           "AND pid <> pg_backend_pid()");
      if (n.find_first_not_of("0\n") != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  auto r = copy(src, dst, state_dir(), {"--jobs", "2", "--json", "--no-verify"});
  killer.join();
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.err;
  auto summary = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << r.out;
  EXPECT_GE(summary["retries"].get<int>(), 1) << r.out << r.err;
  expect_identical(src, dst);
}

}  // namespace
}  // namespace pgshuttle

namespace pgshuttle {
namespace {

// `pgshuttle cancel c001` from another process stops the run cleanly: exit
// 9, status Cancelled; `copy --resume c001` then finishes it.
TEST(CopyRegistry, CancelFromAnotherProcessThenResume) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::load_fixture(src.url());
  auto dir = state_dir();
  rig::CommandResult r;
  std::thread run([&] {
    // Paused 3 s on its first chunk of shop.order_lines: busy when cancelled.
    r = copy(src, dst, dir, {"--jobs", "2", "--no-verify"},
             {{"PGSHUTTLE_FAULTS", "sleep=3000@copy:stream:shop.order_lines"}});
  });
  bool cancelled = false;
  for (int i = 0; i < 100 && !cancelled; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto c = rig::run_pgshuttle({"--state-dir", dir, "cancel", "c001"});
    cancelled = c.exit_code == 0;
  }
  run.join();
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_EQ(transfer(dir, "c001")["status"], "Cancelled");
  auto again =
      copy(src, dst, dir, {"--jobs", "2", "--resume", "c001", "--allow-inconsistent-resume"});
  ASSERT_TRUE(again.exit_code == 0 || again.exit_code == 12) << again.err;
  expect_identical(src, dst);
}

}  // namespace
}  // namespace pgshuttle
