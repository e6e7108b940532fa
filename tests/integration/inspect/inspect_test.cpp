// inspect's figures, checked against catalog queries run independently with
// psql, on the project's fixture and on the third-party sample databases.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

nlohmann::json inspect_json(const std::string& url) {
  auto r = rig::run_pgshuttle({"inspect", url, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

void expect_figures_match_catalog(const std::string& url) {
  psql(url, "ANALYZE");
  auto j = inspect_json(url);
  EXPECT_EQ(j["server_version_num"].get<int>(), std::stoi(psql(url, "SHOW server_version_num")));
  EXPECT_EQ(j["encoding"], psql(url,
                                "SELECT pg_encoding_to_char(encoding) FROM pg_database "
                                "WHERE datname = current_database()"));
  EXPECT_EQ(j["size_pretty"],
            psql(url, "SELECT pg_size_pretty(pg_database_size(current_database()))"));

  // Every user table is listed with its exact sizes and planner estimate.
  std::string catalog = psql(
      url,
      "SELECT string_agg(format('%s.%s %s %s %s', n.nspname, c.relname, pg_relation_size(c.oid), "
      "pg_indexes_size(c.oid), c.reltuples::bigint), ',' ORDER BY n.nspname, c.relname) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r','p','m') AND n.nspname NOT IN ('pg_catalog','information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%'");
  std::string reported;
  for (const auto& t : j["tables"]) {
    if (!reported.empty()) reported += ",";
    reported += t["schema"].get<std::string>() + "." + t["name"].get<std::string>() + " " +
                std::to_string(t["heap_bytes"].get<uint64_t>()) + " " +
                std::to_string(t["index_bytes"].get<uint64_t>()) + " " +
                std::to_string(t["row_estimate"].get<int64_t>());
  }
  EXPECT_EQ(reported, catalog);

  std::string no_pk =
      psql(url,
           "SELECT coalesce(string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, "
           "c.relname), '') "
           "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
           "AND n.nspname NOT IN ('pg_catalog','information_schema') AND NOT EXISTS "
           "(SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')");
  std::string reported_no_pk;
  for (const auto& t : j["tables_without_primary_key"]) {
    reported_no_pk += (reported_no_pk.empty() ? "" : ",") + t.get<std::string>();
  }
  EXPECT_EQ(reported_no_pk, no_pk);

  std::string ext = psql(url,
                         "SELECT string_agg(extname || ' ' || extversion, ',' ORDER BY extname) "
                         "FROM pg_extension");
  std::string reported_ext;
  for (const auto& e : j["extensions"]) {
    reported_ext += (reported_ext.empty() ? "" : ",") + e["name"].get<std::string>() + " " +
                    e["version"].get<std::string>();
  }
  EXPECT_EQ(reported_ext, ext);
  EXPECT_EQ(j["large_objects"]["count"].get<int64_t>(),
            std::stoll(psql(url, "SELECT count(*) FROM pg_largeobject_metadata")));
  EXPECT_EQ(j["recommendation"]["method"], "dump-and-restore");
}

TEST(Inspect, FixtureFiguresMatchCatalog) {
  rig::ScratchDatabase db(rig::Server::kSource, "inspect_fixture");
  rig::load_fixture(db.url(), 1);
  expect_figures_match_catalog(db.url());
  auto j = inspect_json(db.url());
  EXPECT_EQ(j["large_objects"]["count"], 6);
  EXPECT_EQ(j["large_objects"]["bytes"].get<int64_t>(),
            std::stoll(psql(db.url(), "SELECT sum(octet_length(data)) FROM pg_largeobject")));
  EXPECT_EQ(j["unlogged_tables"], nlohmann::json::array({"shop.sessions"}));
  bool has_db_setting = false;
  for (const auto& s : j["settings"]) {
    if (s["level"] == "database" && s["name"] == "work_mem" && s["value"] == "32MB") {
      has_db_setting = true;
    }
  }
  EXPECT_TRUE(has_db_setting) << "ALTER DATABASE ... SET work_mem not reported";
}

TEST(Inspect, ChinookFiguresMatchCatalog) {
  rig::ScratchDatabase db(rig::Server::kSource, "inspect_chinook");
  rig::load_sample(db.url(), "chinook");
  expect_figures_match_catalog(db.url());
}

TEST(Inspect, NorthwindFiguresMatchCatalog) {
  rig::ScratchDatabase db(rig::Server::kSource, "inspect_northwind");
  rig::load_sample(db.url(), "northwind");
  expect_figures_match_catalog(db.url());
}

TEST(Inspect, NonSuperuserTargetWorksAndSaysSo) {
  rig::ScratchDatabase db(rig::Server::kTarget, "inspect_app");
  auto j = inspect_json(db.url());
  EXPECT_EQ(j["connected_as"], "app");
  EXPECT_FALSE(j["is_superuser"].get<bool>());
  EXPECT_EQ(j["tables"].size(), 0u);
}

TEST(Inspect, WrongPasswordHasItsOwnExitCodeAndHint) {
  std::string url =
      "postgresql://postgres:wrong-pass-xyz@127.0.0.1:" + rig::env("RIG_SOURCE_PORT") + "/postgres";
  auto r = rig::run_pgshuttle({"inspect", url});
  EXPECT_EQ(r.exit_code, 10);  // ErrorCode::kAuth
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint:"), std::string::npos);
  EXPECT_EQ(r.err.find("wrong-pass-xyz"), std::string::npos);
}

TEST(Inspect, UnreachableServerIsASourceError) {
  auto r = rig::run_pgshuttle({"inspect", "postgresql://u:p4ssw0rd@127.0.0.1:1/db"});
  EXPECT_EQ(r.exit_code, 3);  // ErrorCode::kSource
  EXPECT_NE(r.err.find("is the server running"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pgshuttle
