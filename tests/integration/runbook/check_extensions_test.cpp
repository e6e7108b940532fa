// check and extensions between the rig's source (superuser) and a target
// database owned by the non-superuser app role.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

bool has_finding(const nlohmann::json& report, const std::string& code, const std::string& severity,
                 const std::string& mentions) {
  for (const auto& f : report["findings"]) {
    if (f["code"] == code && f["severity"] == severity &&
        f["message"].get<std::string>().find(mentions) != std::string::npos &&
        !f["fix"].get<std::string>().empty()) {
      return true;
    }
  }
  return false;
}

TEST(Extensions, SyncCreatesHstoreAndCitextAtTheSourceVersion) {
  rig::ScratchDatabase src(rig::Server::kSource, "ext_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "ext_tgt");
  psql(src.url(), "CREATE EXTENSION hstore; CREATE EXTENSION citext");

  auto d = rig::run_pgshuttle({"extensions", "diff", src.url(), tgt.url(), "--json"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto plan = nlohmann::json::parse(d.out);
  EXPECT_EQ(plan["to_create"], 2);
  EXPECT_EQ(psql(tgt.url(), "SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'"), "0");

  auto s = rig::run_pgshuttle({"extensions", "sync", src.url(), tgt.url(), "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string q =
      "SELECT string_agg(extname || ' ' || extversion, ',' ORDER BY extname) "
      "FROM pg_extension WHERE extname <> 'plpgsql'";
  EXPECT_EQ(psql(tgt.url(), q), psql(src.url(), q));
  EXPECT_EQ(psql(tgt.url(), q).find("citext"), 0u);

  auto list = rig::run_pgshuttle({"extensions", "list", tgt.url(), "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["extensions"].size(), 3u);  // with plpgsql
  auto again = rig::run_pgshuttle({"extensions", "diff", src.url(), tgt.url(), "--json"});
  EXPECT_EQ(nlohmann::json::parse(again.out)["to_create"], 0);
}

TEST(Extensions, UntrustedExtensionIsReportedNotCreated) {
  rig::ScratchDatabase src(rig::Server::kSource, "ext_untr");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "ext_untr_t");
  psql(src.url(), "CREATE EXTENSION file_fdw; CREATE EXTENSION hstore");
  auto s = rig::run_pgshuttle({"extensions", "sync", src.url(), tgt.url(), "--json"});
  EXPECT_EQ(s.exit_code, 31) << s.err;  // kMissingExtension
  EXPECT_NE(s.err.find("file_fdw"), std::string::npos);
  auto plan = nlohmann::json::parse(s.out);
  for (const auto& e : plan["extensions"]) {
    if (e["name"] == "file_fdw") {
      EXPECT_EQ(e["action"], "not-permitted");
    }
  }
  EXPECT_EQ(psql(tgt.url(), "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension"),
            "hstore,plpgsql");
}

TEST(Check, MissingExtensionAndNonEmptyTargetAreBlockers) {
  rig::ScratchDatabase src(rig::Server::kSource, "chk_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chk_tgt");
  psql(src.url(), "CREATE EXTENSION file_fdw; CREATE TABLE items (id int PRIMARY KEY, v text)");
  psql(tgt.url(), "CREATE TABLE leftover (id int)");
  std::string tgt_before = psql(tgt.admin_url(), "SELECT count(*) FROM pg_class");

  auto r = rig::run_pgshuttle({"check", src.url(), tgt.url(), "--json"});
  EXPECT_EQ(r.exit_code, 8) << r.err;  // kBlocked
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(has_finding(j, "missing-extension", "blocker", "file_fdw")) << j.dump(2);
  EXPECT_TRUE(has_finding(j, "target-not-empty", "blocker", "leftover")) << j.dump(2);
  EXPECT_GE(j["blockers"].get<int>(), 2);
  EXPECT_EQ(psql(tgt.admin_url(), "SELECT count(*) FROM pg_class"), tgt_before);  // wrote nothing
}

TEST(Check, CleanPairHasNoBlockersAndWarningsAreFlagged) {
  rig::ScratchDatabase src(rig::Server::kSource, "chk_ok");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chk_ok_t");
  psql(src.url(), "CREATE EXTENSION hstore; CREATE TABLE items (id int PRIMARY KEY, v text)");
  auto r = rig::run_pgshuttle({"check", src.url(), tgt.url(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(has_finding(j, "extensions-to-create", "info", "hstore"));
  EXPECT_TRUE(has_finding(j, "estimate", "info", src.name()));

  psql(src.url(), "CREATE TABLE loose (v text); SELECT lo_from_bytea(0, 'abc')");
  auto w = rig::run_pgshuttle({"check", src.url(), tgt.url(), "--json"});
  EXPECT_EQ(w.exit_code, 12) << w.out << w.err;  // kWarnings
  auto k = nlohmann::json::parse(w.out);
  EXPECT_TRUE(has_finding(k, "no-primary-key", "warning", "public.loose"));
  EXPECT_TRUE(has_finding(k, "large-objects", "warning", "1 large object"));
  EXPECT_EQ(k["blockers"], 0);
}

}  // namespace
}  // namespace pgshuttle
