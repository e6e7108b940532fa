// Across major versions: the rig's source and target run the majors CTest
// chose for this run (tests/CMakeLists.txt: 13->15, 13->17, 15->17, 17->17,
// 17->15). An upgrade must copy and backup->restore the fixture and the
// Chinook and Northwind samples so that an independent comparison (one
// pg_dump --schema-only of the newer major on both sides, row hashes in
// pinned settings, sequences, large objects) finds them identical; a
// downgrade must be refused before the target is touched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

int major(const char* key) { return std::stoi(rig::env(key)); }
bool downgrade() { return major("RIG_SOURCE_MAJOR") > major("RIG_TARGET_MAJOR"); }

// pgshuttle is told where the built servers' programs are, as a user with
// several client versions installed outside /usr/lib/postgresql would.
std::map<std::string, std::string> tools_env(const std::string& state) {
  return {{"PGSHUTTLE_PG_BINDIR", rig::env("RIG_SOURCE_BIN") + ":" + rig::env("RIG_TARGET_BIN")},
          {"PGSHUTTLE_STATE_DIR", state}};
}

std::string fresh_state() {
  auto dir = std::filesystem::temp_directory_path() / rig::unique_name("versions_state");
  return dir.string();
}

void load(const std::string& what, const std::string& url) {
  if (what == "fixture") {
    rig::load_fixture(url, 1);
  } else {
    rig::load_sample(url, what);
  }
}

// The independent judgement. Between two majors the servers print the same
// schema differently (PostgreSQL 17 deparses a view's columns without the
// table qualifiers 15 prints), so the expected schema is what pg_dump and
// psql themselves make of the source on the target's server: a reference
// database loaded from `pg_dump --schema-only` of the source. Rows,
// sequences and large objects are compared with the source itself.
void expect_moved(const rig::ScratchDatabase& src, const rig::ScratchDatabase& dst) {
  // pgshuttle's own verify must agree: PASSED, or warnings only (a setting
  // the target's major does not have), never a difference.
  auto v = rig::run_pgshuttle({"verify", src.url(), dst.url()}, tools_env(fresh_state()));
  EXPECT_TRUE(v.exit_code == 0 || v.exit_code == 12) << v.out << v.err;
  EXPECT_EQ(v.out.find("DIFF"), std::string::npos) << v.out;
  if (rig::env("RIG_SOURCE_MAJOR") == rig::env("RIG_TARGET_MAJOR")) {
    rig::expect_identical(src.admin_url(), dst.admin_url());
    return;
  }
  // (The rig's 15 keeps a column version among column options that only
  // its own pg_dump leaves out: another major's pg_dump prints it, and no
  // other server takes it.)
  rig::ScratchDatabase ref(rig::Server::kTarget, "ver_ref");
  std::string bin = rig::env("RIG_PG_BINDIR");
  auto load = rig::run_program(
      {"bash", "-c",
       "set -o pipefail; \"$0\"/pg_dump --schema-only --no-owner --no-acl \"$1\" | "
       "grep -v ' SET (pg_attver=' | \"$0\"/psql -X -q -v ON_ERROR_STOP=1 \"$2\"",
       bin, src.admin_url(), ref.admin_url()});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(rig::sorted_schema(ref.admin_url()), rig::sorted_schema(dst.admin_url()));
  EXPECT_EQ(rig::table_checksums(src.admin_url()), rig::table_checksums(dst.admin_url()));
  EXPECT_EQ(rig::sequence_values(src.admin_url()), rig::sequence_values(dst.admin_url()));
  EXPECT_EQ(rig::large_objects(src.admin_url()), rig::large_objects(dst.admin_url()));
}

// A downgrade: exit 32 naming it (8 for migrate, whose preflight blocks
// it), and nothing on the target.
void expect_refused(const rig::CommandResult& r, const rig::ScratchDatabase& dst,
                    int exit_code = 32) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_NE(r.err.find("downgrade"), std::string::npos) << r.err;
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT count(*) FROM pg_class WHERE relnamespace > 16384"),
            "0");
}

// The first statement of `sql`, past its comment lines, is a CREATE.
bool is_ddl(const std::string& sql) {
  std::istringstream lines(sql);
  std::string line;
  while (std::getline(lines, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, 2, "--") == 0) continue;
    return line.compare(start, 7, "CREATE ") == 0;
  }
  return false;
}

class AcrossVersions : public ::testing::TestWithParam<std::string> {};

TEST_P(AcrossVersions, CopyIsIdenticalOrADowngradeIsRefused) {
  SCOPED_TRACE(rig::env("RIG_SOURCE_MAJOR") + " -> " + rig::env("RIG_TARGET_MAJOR"));
  rig::ScratchDatabase src(rig::Server::kSource, "ver_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "ver_dst");
  load(GetParam(), src.admin_url());
  if (IsSkipped()) return;
  auto env = tools_env(fresh_state());
  auto r = rig::run_pgshuttle({"copy", src.url(), dst.url(), "--jobs", "2"}, env);
  if (downgrade()) {
    expect_refused(r, dst);
    return;
  }
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  EXPECT_NE(r.err.find("using pg_dump/pg_restore " + rig::env("RIG_TARGET_MAJOR")),
            std::string::npos)
      << r.err;
  expect_moved(src, dst);
}

TEST_P(AcrossVersions, BackupThenRestoreIsIdenticalOrADowngradeIsRefused) {
  SCOPED_TRACE(rig::env("RIG_SOURCE_MAJOR") + " -> " + rig::env("RIG_TARGET_MAJOR"));
  rig::ScratchDatabase src(rig::Server::kSource, "ver_bsrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "ver_bdst");
  load(GetParam(), src.admin_url());
  if (IsSkipped()) return;
  auto env = tools_env(fresh_state());
  std::string file = std::filesystem::temp_directory_path() / (rig::unique_name("ver") + ".dump");
  auto b = rig::run_pgshuttle({"backup", src.url(), "--to", file}, env);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("using pg_dump/pg_restore " + rig::env("RIG_SOURCE_MAJOR")),
            std::string::npos)
      << b.err;
  auto r = rig::run_pgshuttle({"restore", file, "--target", dst.url(), "--jobs", "2"}, env);
  std::filesystem::remove(file);
  if (downgrade()) {
    expect_refused(r, dst);
    return;
  }
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  // An archive holds no database-level settings (ALTER DATABASE ... SET):
  // the runbook's next step applies them, and verify then compares them.
  auto applied = rig::run_pgshuttle({"settings", "apply", src.url(), dst.url()}, env);
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  expect_moved(src, dst);
}

// The whole runbook in one command: maintenance, copy, extensions,
// settings, verify. On a 13 source a database setting 14 removed
// (vacuum_cleanup_index_scale_factor) must not fail the migration; the
// settings step names it and verify reports it as a warning.
TEST_P(AcrossVersions, MigrateDirectIsIdenticalOrADowngradeIsRefused) {
  if (GetParam() != "fixture") GTEST_SKIP() << "the fixture alone is enough here";
  SCOPED_TRACE(rig::env("RIG_SOURCE_MAJOR") + " -> " + rig::env("RIG_TARGET_MAJOR"));
  rig::ScratchDatabase src(rig::Server::kSource, "ver_msrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "ver_mdst");
  load(GetParam(), src.admin_url());
  const bool removed_setting = major("RIG_SOURCE_MAJOR") < 14 && !downgrade();
  if (removed_setting) {
    rig::psql(src.admin_url(),
              "DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET "
              "vacuum_cleanup_index_scale_factor = 0.2', current_database()); END$$");
  }
  auto env = tools_env(fresh_state());
  auto r =
      rig::run_pgshuttle({"migrate", src.url(), dst.url(), "--direct", "--release-source"}, env);
  if (downgrade()) {
    expect_refused(r, dst, 8);
    return;
  }
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  if (removed_setting) {
    EXPECT_NE((r.out + r.err).find("vacuum_cleanup_index_scale_factor"), std::string::npos)
        << r.out << r.err;
  }
  expect_moved(src, dst);
}

INSTANTIATE_TEST_SUITE_P(Data, AcrossVersions,
                         ::testing::Values("fixture", "chinook", "northwind"));

// Every catalog query pgshuttle embeds (sql/**.sql but the SQLite schema of
// sql/state) must at least parse and plan on each major it meets as source
// or target: PREPARE checks every catalog column and function it names.
// Queries without parameters are also executed, over a database holding
// the Northwind sample. data_session.sql (SET statements) runs inside a
// transaction that is rolled back; a DDL script (sync/applied_position.sql
// creates the table later sync queries name) runs as it is.
TEST(EmbeddedSql, EveryQueryPreparesOnEachMajorAndRunsWhereItTakesNoParameters) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(PGSHUTTLE_TESTDATA) / ".." / ".." / "sql";
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".sql" || entry.path().parent_path().filename() == "state") {
      continue;
    }
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 50u);
  for (rig::Server side : {rig::Server::kSource, rig::Server::kTarget}) {
    rig::ScratchDatabase db(side, "embedded_sql");
    rig::load_sample(db.admin_url(), "northwind");
    for (const auto& file : files) {
      std::string sql = rig::read_file(file.string());
      while (!sql.empty() &&
             (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
        sql.pop_back();
      }
      std::string script;
      if (is_ddl(sql)) {
        script = sql + ";";
      } else if (file.filename() == "data_session.sql") {
        script = "BEGIN;\n" + sql + ";\nROLLBACK;";
      } else {
        bool has_parameters = sql.find("$1") != std::string::npos;
        script = "PREPARE q AS\n" + sql + ";\n" + (has_parameters ? "" : "EXECUTE q;\n") +
                 "DEALLOCATE q;";
      }
      auto r = rig::run_program({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null",
                                 "-d", db.admin_url(), "-c", script});
      EXPECT_EQ(r.exit_code, 0) << fs::relative(file, root).string() << " on the "
                                << (side == rig::Server::kSource ? "source" : "target")
                                << " (PostgreSQL "
                                << rig::env(side == rig::Server::kSource ? "RIG_SOURCE_MAJOR"
                                                                         : "RIG_TARGET_MAJOR")
                                << "): " << r.err;
    }
  }
}

}  // namespace
}  // namespace pgshuttle
