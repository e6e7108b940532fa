// PostgreSQL's own regression database (tests/rig/regress-db.sh: the parallel
// schedule of the installed major, as pg_upgrade's test uses it), moved by
// `copy` and by `backup` -> `restore`. Nobody here wrote it: it holds every
// object kind the server has, odd names, odd types and odd settings.
//
// The judge is the rig's own comparison (rig/compare.h) against what
// pg_dump | pg_restore makes of the same database in the same target
// cluster: pgshuttle may differ from the source only where pg_restore itself
// does. And `pgshuttle verify` must agree with that judge both ways.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

std::string with_database(const std::string& url, const std::string& db) {
  return url.substr(0, url.rfind('/') + 1) + db;
}

std::string source_url() { return with_database(rig::env("RIG_SOURCE_ADMIN"), "regression"); }

// The roles the database names (policies, grants), created on the target
// first, as anyone moving a database does before loading it. Concurrent
// tests may race to create the same role.
void create_source_roles_on_target() {
  std::string roles = psql(rig::env("RIG_SOURCE_ADMIN"),
                           "SELECT rolname FROM pg_roles WHERE rolname ~ '^regress_' ORDER BY 1");
  std::istringstream in(roles);
  for (std::string role; std::getline(in, role);) {
    if (role.empty()) continue;
    psql(rig::env("RIG_TARGET_ADMIN"),
         "DO $$BEGIN EXECUTE format('CREATE ROLE %I', '" + role +
             "'); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$");
  }
}

std::string dump_source(const std::string& prefix) {
  std::string archive = "/tmp/" + rig::unique_name(prefix) + ".dump";
  auto d = rig::run_program({"pg_dump", "-Fc", "-f", archive, source_url()});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  return archive;
}

// pg_restore (--no-owner --no-acl: pgshuttle's defaults) of `archive` into
// `url`; its exit status: on a non-superuser target it reports errors and
// goes on, which is the peer's result to compare with.
int peer_restore(const std::string& archive, const std::string& url) {
  return rig::run_program({"pg_restore", "--no-owner", "--no-acl", "-d", url, archive}).exit_code;
}

// "schema.table" -> "count|md5" from the rig's own row hashes.
std::map<std::string, std::string> checksums_by_table(const std::string& url) {
  std::map<std::string, std::string> out;
  std::istringstream in(rig::table_checksums(url));
  for (std::string line; std::getline(in, line);) {
    auto bar = line.find('|');
    if (bar != std::string::npos) out[line.substr(0, bar)] = line.substr(bar + 1);
  }
  return out;
}

struct Verdict {
  int exit_code = -1;
  std::set<std::string> differences;  // "kind object" of each difference
  std::set<std::string> data;         // tables whose data differs
  std::set<std::string> reordered;    // tables with a column-order warning
};

Verdict verify(const std::string& state, const std::string& target_url) {
  auto v = rig::run_pgshuttle(
      {"--state-dir", state, "--json", "verify", source_url(), target_url, "--jobs", "2"});
  Verdict out;
  out.exit_code = v.exit_code;
  auto json = nlohmann::json::parse(v.out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << v.out << v.err;
  if (json.is_discarded()) return out;
  for (const auto& d : json["differences"]) {
    std::string kind = d["kind"], object = d["object"];
    if (d["severity"] == "difference") out.differences.insert(kind + " " + object);
    if (d["severity"] == "difference" && kind == "table data") out.data.insert(object);
    if (d.value("property", "") == "position in an inheritance child") {
      out.reordered.insert(object.substr(0, object.rfind('.')));
    }
  }
  return out;
}

// Verify's data verdict agrees with the rig's row hashes: every table it
// calls different differs by the hashes, and every table the hashes call
// different is one it names (or one whose columns pg_dump reorders, which
// changes the row text the hashes read but no value).
void expect_verify_agrees_on_data(const Verdict& v, const std::string& target_url) {
  auto source = checksums_by_table(with_database(rig::env("RIG_SOURCE_ADMIN"), "regression"));
  auto target = checksums_by_table(target_url);
  std::set<std::string> differ;
  for (const auto& [table, sum] : source) {
    auto it = target.find(table);
    if (it != target.end() && it->second != sum) differ.insert(table);
  }
  for (const auto& table : v.data) EXPECT_TRUE(differ.count(table)) << table;
  for (const auto& table : differ) {
    EXPECT_TRUE(v.data.count(table) || v.reordered.count(table)) << table;
  }
}

TEST(RegressionDatabase, CopyAndRestoreIntoASuperuserTargetMatchPgRestore) {
  create_source_roles_on_target();
  rig::ScratchDatabase peer(rig::Server::kTarget, "reg_peer");
  rig::ScratchDatabase copied(rig::Server::kTarget, "reg_copy");
  rig::ScratchDatabase restored(rig::Server::kTarget, "reg_restore");
  std::string state = "/tmp/" + rig::unique_name("reg_state");

  std::string archive = dump_source("reg_peer");
  ASSERT_EQ(peer_restore(archive, peer.admin_url()), 0);
  std::remove(archive.c_str());

  // The copy's closing verify finds the stale materialized view the suite
  // leaves (refreshed on the target) and knows that the quiet source was
  // not written since: writes do not explain it.
  auto c = rig::run_pgshuttle(
      {"--state-dir", state, "copy", source_url(), copied.admin_url(), "--jobs", "2"});
  EXPECT_EQ(c.exit_code, 6) << c.out << c.err;
  EXPECT_NE(c.err.find("has not been written to since the copy's snapshot"), std::string::npos)
      << c.err;
  EXPECT_NE(c.out.find("public.mvtest_bb"), std::string::npos) << c.out;
  rig::expect_identical(peer.admin_url(), copied.admin_url());

  std::string backup = "/tmp/" + rig::unique_name("reg_backup") + ".dump";
  auto b = rig::run_pgshuttle({"--state-dir", state, "backup", source_url(), "--to", backup});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  auto r = rig::run_pgshuttle(
      {"--state-dir", state, "restore", backup, "--target", restored.admin_url(), "--jobs", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::remove(backup.c_str());
  rig::expect_identical(peer.admin_url(), restored.admin_url());

  // Verify judges the copy exactly as it judges pg_restore's result (whose
  // database settings pg_restore without --create does not carry), and its
  // data verdict is the row hashes' (the regression suite leaves a stale
  // materialized view, which any refresh on the target changes).
  Verdict on_peer = verify(state, peer.admin_url());
  Verdict on_copy = verify(state, copied.admin_url());
  std::erase_if(on_peer.differences,
                [](const std::string& d) { return d.rfind("database setting ", 0) == 0; });
  EXPECT_EQ(on_copy.differences, on_peer.differences);
  EXPECT_EQ(on_copy.exit_code, on_copy.differences.empty() ? 0 : 6);
  expect_verify_agrees_on_data(on_copy, copied.admin_url());
  Verdict on_restore = verify(state, restored.admin_url());
  std::erase_if(on_restore.differences,
                [](const std::string& d) { return d.rfind("database setting ", 0) == 0; });
  EXPECT_EQ(on_restore.differences, on_peer.differences);

  // ... and names what a mutation of the copy changed, as the hashes and
  // the sorted schema see it too.
  psql(copied.admin_url(),
       "UPDATE public.tenk1 SET stringu1 = 'mutated' WHERE unique1 = 42;"
       "DROP INDEX public.onek_hundred; DROP RULE rtest_v1_del ON public.rtest_v1");
  Verdict mutated = verify(state, copied.admin_url());
  EXPECT_EQ(mutated.exit_code, 6);
  EXPECT_TRUE(mutated.data.count("public.tenk1"));
  EXPECT_TRUE(mutated.differences.count("index public.onek_hundred"));
  EXPECT_TRUE(mutated.differences.count("rule public.rtest_v1.rtest_v1_del"));
  expect_verify_agrees_on_data(mutated, copied.admin_url());
  EXPECT_NE(rig::sorted_schema(peer.admin_url()), rig::sorted_schema(copied.admin_url()));
}

// A managed provider's target: the application role is no superuser. With
// --skip-unsupported, copy and restore load what that role may create and
// list the rest; the result is what pg_restore as the same role leaves
// (pg_restore reports each refusal and goes on), nothing less.
TEST(RegressionDatabase, CopyAndRestoreIntoANonSuperuserTargetSkipWhatPgRestoreCannotCreate) {
  create_source_roles_on_target();
  rig::ScratchDatabase peer(rig::Server::kTarget, "reg_apppeer");
  rig::ScratchDatabase copied(rig::Server::kTarget, "reg_appcopy");
  rig::ScratchDatabase restored(rig::Server::kTarget, "reg_apprestore");
  std::string state = "/tmp/" + rig::unique_name("reg_state");

  std::string archive = dump_source("reg_apppeer");
  EXPECT_NE(peer_restore(archive, peer.url()), 0);  // it does meet refusals

  auto c = rig::run_pgshuttle({"--state-dir", state, "copy", source_url(), copied.url(), "--jobs",
                               "2", "--skip-unsupported"});
  // The closing verify reports the skipped objects as known skips, and
  // fails on what a non-superuser cannot reproduce beyond them
  // (publications of whole schemas, refused like pg_restore's).
  EXPECT_EQ(c.exit_code, 6) << c.out << c.err;
  EXPECT_NE(c.err.find("besides the "), std::string::npos) << c.err;
  EXPECT_NE(c.out.find("SKIP type public.widget"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("DIFF publication table dump_pub_nsp_1ct"), std::string::npos) << c.out;
  EXPECT_NE(c.err.find("skipped TYPE public widget (--skip-unsupported)"), std::string::npos)
      << c.err;
  rig::expect_identical(peer.admin_url(), copied.admin_url());

  auto r = rig::run_pgshuttle({"--state-dir", state, "restore", archive, "--target", restored.url(),
                               "--jobs", "2", "--skip-unsupported"});
  std::remove(archive.c_str());
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;
  EXPECT_NE(r.err.find("may not create were skipped (--skip-unsupported)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("TYPE public.widget"), std::string::npos) << r.out;
  rig::expect_identical(peer.admin_url(), restored.admin_url());

  // Verify names the skipped objects as missing; it never passes.
  Verdict v = verify(state, copied.url());
  EXPECT_EQ(v.exit_code, 6);
  EXPECT_TRUE(v.differences.count("type public.widget")) << testing::PrintToString(v.differences);
}

}  // namespace
}  // namespace pgshuttle
