// --include / --exclude mean the same part of a database for copy, verify,
// backup and migrate: what pg_dump selects with those patterns. A part
// copied is verified as that part (a change inside it is found and named;
// what was left out is no difference), and a verify of the whole database
// still sees what the part left out. Judged independently too: the target's
// own catalog and rows, and pg_restore's listing of the archive.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

// Two schemas; the copied one has a keyword- and mixed-case-named table, an
// index, a type, a function and a view; shop.big is left out by --exclude.
const char* kSource =
    "CREATE SCHEMA shop; CREATE SCHEMA other; "
    "CREATE TYPE shop.mood AS ENUM ('ok', 'sad'); "
    "CREATE TABLE shop.\"Order\" (id int PRIMARY KEY, m shop.mood, note text); "
    "CREATE INDEX order_note_idx ON shop.\"Order\" (note); "
    "INSERT INTO shop.\"Order\" SELECT g, 'ok', 'n' || g FROM generate_series(1, 50) g; "
    "CREATE TABLE shop.big (id int PRIMARY KEY); "
    "INSERT INTO shop.big SELECT generate_series(1, 10); "
    "CREATE FUNCTION shop.twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 2'; "
    "CREATE VIEW shop.v AS SELECT id FROM shop.\"Order\"; "
    "CREATE TABLE other.t (id int PRIMARY KEY); INSERT INTO other.t VALUES (1)";

rig::CommandResult verify(const std::string& dir, const rig::ScratchDatabase& src,
                          const rig::ScratchDatabase& dst, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--state-dir", dir, "verify", src.url(), dst.url()};
  args.insert(args.end(), extra.begin(), extra.end());
  return rig::run_pgshuttle(args);
}

TEST(Filter, APartCopiedIsVerifiedAsThatPartAndAChangeInItIsFound) {
  rig::ScratchDatabase src(rig::Server::kSource, "filt_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "filt_dst");
  psql(src.url(), kSource);
  std::string dir = "/tmp/" + rig::unique_name("filt_state");
  const std::vector<std::string> part = {"--include", "shop", "--exclude", "shop.big"};
  std::vector<std::string> args = {"--state-dir", dir, "--json", "copy", src.url(), dst.url()};
  args.insert(args.end(), part.begin(), part.end());
  auto r = rig::run_pgshuttle(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  // The closing verify ran on the part (it used to be skipped).
  EXPECT_EQ(j["verify"]["verdict"], "PASSED") << r.out;
  EXPECT_EQ(psql(dst.url(),
                 "SELECT to_regclass('other.t') IS NULL AND "
                 "to_regclass('shop.big') IS NULL"),
            "t");
  std::string rows =
      "SELECT string_agg(id || m::text || note, ',' ORDER BY id) FROM shop.\"Order\"";
  EXPECT_EQ(psql(dst.url(), rows), psql(src.url(), rows));

  // The whole database is not identical: other.t and shop.big are missing.
  auto whole = verify(dir, src, dst, {});
  EXPECT_EQ(whole.exit_code, 6) << whole.out << whole.err;
  EXPECT_NE(whole.out.find("other.t"), std::string::npos) << whole.out;
  EXPECT_NE(whole.out.find("shop.big"), std::string::npos) << whole.out;

  // A row changed inside the part is found and named.
  psql(dst.url(), "UPDATE shop.\"Order\" SET note = 'x' WHERE id = 7");
  auto changed = verify(dir, src, dst, part);
  EXPECT_EQ(changed.exit_code, 6) << changed.out << changed.err;
  EXPECT_NE(changed.out.find("shop.Order"), std::string::npos) << changed.out;
  EXPECT_EQ(changed.out.find("other.t"), std::string::npos) << changed.out;
  psql(dst.url(), "UPDATE shop.\"Order\" SET note = 'n7' WHERE id = 7");
  EXPECT_EQ(verify(dir, src, dst, part).exit_code, 0);

  // A schema object of the part (a function) changed is found too.
  psql(dst.url(),
       "CREATE OR REPLACE FUNCTION shop.twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3'");
  auto function = verify(dir, src, dst, part);
  EXPECT_EQ(function.exit_code, 6) << function.out << function.err;
  EXPECT_NE(function.out.find("shop.twice"), std::string::npos) << function.out;

  // A table pattern: that table and what belongs to it (its index), not
  // the schema's other objects (the changed function).
  auto table = verify(dir, src, dst, {"--include", "shop.\"Order\""});
  EXPECT_EQ(table.exit_code, 0) << table.out << table.err;
  psql(dst.url(), "DROP INDEX shop.order_note_idx");
  table = verify(dir, src, dst, {"--include", "shop.\"Order\""});
  EXPECT_EQ(table.exit_code, 6) << table.out << table.err;
  EXPECT_NE(table.out.find("order_note_idx"), std::string::npos) << table.out;
}

// backup --include writes only that part (pg_restore's own listing), and
// migrate --direct --include moves and verifies only that part.
TEST(Filter, BackupAndMigrateTakeThePartToo) {
  rig::ScratchDatabase src(rig::Server::kSource, "filt_bsrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "filt_bdst");
  psql(src.url(), kSource);
  std::string dir = "/tmp/" + rig::unique_name("filt_state");
  std::filesystem::create_directories(dir);
  std::string file = dir + "/part.dump";
  auto b = rig::run_pgshuttle({"--state-dir", dir, "backup", src.url(), "--to", file, "--include",
                               "shop", "--exclude", "shop.big"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto list = rig::run_program({"pg_restore", "-l", file});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("TABLE shop Order"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(" other "), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("TABLE shop big"), std::string::npos) << list.out;

  auto m = rig::run_pgshuttle({"--state-dir", dir, "migrate", src.url(), dst.url(), "--direct",
                               "--release-source", "--include", "shop", "--exclude", "shop.big"});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_EQ(psql(dst.url(),
                 "SELECT to_regclass('other.t') IS NULL AND "
                 "to_regclass('shop.big') IS NULL AND "
                 "to_regclass('shop.\"Order\"') IS NOT NULL"),
            "t");
  EXPECT_EQ(psql(dst.url(), "SELECT count(*) FROM shop.\"Order\""), "50");
}

// restore --include/--exclude takes that part out of a whole archive (exact
// names: no server can match patterns against an archive), and verify of the
// same part agrees; a foreign key into a table left out is left out too,
// with a warning, instead of failing the restore; wildcards are refused
// before the target is touched.
TEST(Filter, RestoreTakesThePartOfAWholeArchive) {
  rig::ScratchDatabase src(rig::Server::kSource, "filt_rsrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "filt_rdst");
  psql(src.url(), kSource);
  psql(src.url(),
       "CREATE TABLE shop.ref (id int PRIMARY KEY, big int REFERENCES shop.big); "
       "INSERT INTO shop.ref VALUES (1, 1)");
  std::string dir = "/tmp/" + rig::unique_name("filt_state");
  std::filesystem::create_directories(dir);
  std::string file = dir + "/whole.dump";
  auto b = rig::run_pgshuttle({"--state-dir", dir, "backup", src.url(), "--to", file});
  ASSERT_EQ(b.exit_code, 0) << b.err;

  auto wild = rig::run_pgshuttle(
      {"--state-dir", dir, "restore", file, "--target", dst.url(), "--include", "sho*"});
  EXPECT_EQ(wild.exit_code, 2) << wild.err;
  EXPECT_NE(wild.err.find("exact names"), std::string::npos) << wild.err;
  EXPECT_EQ(psql(dst.url(), "SELECT count(*) FROM pg_class WHERE relnamespace > 16384"), "0");

  auto r = rig::run_pgshuttle({"--state-dir", dir, "restore", file, "--target", dst.url(),
                               "--include", "Shop", "--exclude", "shop.big"});
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;  // the foreign key: a warning
  EXPECT_NE(r.err.find("ref_big_fkey"), std::string::npos) << r.err;
  EXPECT_EQ(psql(dst.url(),
                 "SELECT to_regclass('other.t') IS NULL AND "
                 "to_regclass('shop.big') IS NULL AND "
                 "to_regprocedure('shop.twice(int)') IS NOT NULL AND "
                 "to_regclass('shop.order_note_idx') IS NOT NULL"),
            "t");
  std::string rows =
      "SELECT string_agg(id || m::text || note, ',' ORDER BY id) FROM shop.\"Order\"";
  EXPECT_EQ(psql(dst.url(), rows), psql(src.url(), rows));
  EXPECT_EQ(psql(dst.url(), "SELECT count(*) FROM shop.ref"), "1");
  // The same part compared: only the foreign key differs.
  auto v = verify(dir, src, dst, {"--include", "shop", "--exclude", "shop.big"});
  EXPECT_EQ(v.exit_code, 6) << v.out << v.err;
  EXPECT_NE(v.out.find("ref_big_fkey"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find(" 1 differences"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace pgshuttle
