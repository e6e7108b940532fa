// restore --skip-unsupported: an archive with objects only a superuser can
// create (fidelity case 13), restored into the non-superuser app role's
// database, loads everything else, lists what it left out and why, and
// leaves out what depends on a refused object (a table with a column of a
// refused base type, with its rows and indexes); without the flag the
// restore fails naming the first refusal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "restore_rig.h"

namespace pgshuttle::restore::testing {
namespace {

using rig::psql;

constexpr const char* kSource =
    "CREATE FUNCTION my_abs(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs'; "
    "CREATE OPERATOR FAMILY my_fam USING btree; "
    // A base type: its shell is refused to a non-superuser, and so are its
    // I/O functions, the type, the table with a column of it and its rows.
    "CREATE TYPE tiny; "
    "CREATE FUNCTION tiny_in(cstring) RETURNS tiny LANGUAGE internal IMMUTABLE STRICT AS "
    "'int4in'; "
    "CREATE FUNCTION tiny_out(tiny) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS "
    "'int4out'; "
    "CREATE TYPE tiny (INPUT = tiny_in, OUTPUT = tiny_out, LIKE = int4); "
    "CREATE TABLE odd (id int PRIMARY KEY, v tiny); INSERT INTO odd VALUES (1, '7'); "
    "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, -1), (2, 5); "
    "CREATE INDEX t_v ON t (v); "
    "CREATE VIEW tv AS SELECT id, abs(v) AS a FROM t; "
    "COMMENT ON TABLE t IS 'kept'";

std::string backup(const rig::ScratchDatabase& src) {
  std::string file = temp_path("skip.dump");
  auto r = rig::run_pgshuttle({"--state-dir", state_dir(), "backup", src.url(), "--to", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return file;
}

TEST(RestoreSkipUnsupported, LoadsTheRestAndListsWhatItLeftOut) {
  rig::ScratchDatabase src(rig::Server::kSource, "rskip_src");
  psql(src.url(), kSource);
  std::string archive = backup(src);

  rig::ScratchDatabase refused(rig::Server::kTarget, "rskip_no");
  auto without = restore(archive, refused.url(), {"--jobs", "2"});
  EXPECT_EQ(without.exit_code, 4) << without.out << without.err;

  rig::ScratchDatabase dst(rig::Server::kTarget, "rskip_dst");
  auto r = rig::run_pgshuttle({"--state-dir", state_dir(), "--json", "restore", archive, "--target",
                               dst.url(), "--jobs", "2", "--skip-unsupported"});
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;  // kWarnings
  EXPECT_NE(r.err.find("may not create were skipped (--skip-unsupported)"), std::string::npos)
      << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  std::string refused_list = j["skipped_unsupported"].dump();
  EXPECT_NE(refused_list.find("my_abs"), std::string::npos) << refused_list;
  EXPECT_NE(refused_list.find("my_fam"), std::string::npos) << refused_list;
  EXPECT_NE(refused_list.find("SHELL TYPE public.tiny"), std::string::npos) << refused_list;
  std::string skipped = j["skipped"].dump();
  EXPECT_NE(skipped.find("TABLE DATA public.odd"), std::string::npos) << skipped;

  // Independent look at the target: the rest is there, rows and all.
  std::string rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
  EXPECT_EQ(psql(dst.url(), rows), psql(src.url(), rows));
  EXPECT_EQ(psql(dst.url(), "SELECT string_agg(a::text, ',' ORDER BY id) FROM tv"), "1,5");
  EXPECT_EQ(psql(dst.url(), "SELECT obj_description('t'::regclass)"), "kept");
  EXPECT_EQ(psql(dst.url(),
                 "SELECT to_regclass('t_v') IS NOT NULL AND "
                 "to_regclass('t_pkey') IS NOT NULL"),
            "t");
  EXPECT_EQ(psql(dst.url(),
                 "SELECT to_regprocedure('my_abs(int)') IS NULL AND "
                 "to_regtype('tiny') IS NULL AND to_regclass('odd') IS NULL"),
            "t");

  // Verify names what was left out; it never passes.
  auto v = rig::run_pgshuttle({"--state-dir", state_dir(), "verify", src.url(), dst.url()});
  EXPECT_EQ(v.exit_code, 6) << v.out << v.err;
  EXPECT_NE(v.out.find("odd"), std::string::npos) << v.out;
  // Told what was left out on purpose, verify reports those as known skips:
  // incomplete (exit 12), no difference, still not passed.
  auto known = rig::run_pgshuttle(
      {"--state-dir", state_dir(), "verify", src.url(), dst.url(), "--skip-unsupported"});
  EXPECT_EQ(known.exit_code, 12) << known.out << known.err;
  EXPECT_NE(known.out.find("INCOMPLETE: "), std::string::npos) << known.out;
  EXPECT_NE(known.out.find("SKIP table public.odd"), std::string::npos) << known.out;
  EXPECT_NE(known.out.find("SKIP function public.my_abs(integer)"), std::string::npos) << known.out;
  EXPECT_EQ(known.out.find("DIFF"), std::string::npos) << known.out;
  EXPECT_EQ(known.out.find("PASSED"), std::string::npos) << known.out;

  // A real loss besides the known skips still fails the verify, naming it.
  psql(dst.url(), "DELETE FROM t WHERE id = 2; DROP VIEW tv");
  auto lost = rig::run_pgshuttle(
      {"--state-dir", state_dir(), "verify", src.url(), dst.url(), "--skip-unsupported"});
  EXPECT_EQ(lost.exit_code, 6) << lost.out << lost.err;
  EXPECT_NE(lost.out.find("DIFF view public.tv"), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find("FAILED: "), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find("public.t"), std::string::npos) << lost.out;
}

TEST(RestoreSkipUnsupported, RefusesAnArchiveItCannotReadAtRandom) {
  rig::ScratchDatabase src(rig::Server::kSource, "rskip_sql");
  psql(src.url(), "CREATE TABLE t (id int)");
  std::string sql = temp_path("skip.sql");
  ASSERT_EQ(rig::run_program({"pg_dump", "-f", sql, src.url()}).exit_code, 0);
  rig::ScratchDatabase dst(rig::Server::kTarget, "rskip_sqldst");
  auto r = rig::run_pgshuttle(
      {"--state-dir", state_dir(), "restore", sql, "--target", dst.url(), "--skip-unsupported"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("custom-format archive that records its data offsets"), std::string::npos)
      << r.err;
  EXPECT_EQ(psql(dst.url(), "SELECT count(*) FROM pg_class WHERE relname = 't'"), "0");
}

}  // namespace
}  // namespace pgshuttle::restore::testing
